/**
 * Which nodes make up the cluster and whether each is alive. PostgreSQL
 * (pg-membership.ts) keeps a heartbeat table; the embedded SQLite mode has
 * one node, itself (single-node-membership.ts).
 */

export type NodeState = 'alive' | 'dead' | 'stopped';

/** One node as `GET /_nimbus/api/v1/nodes` and `nimbus nodes` show it. */
export interface ClusterNode {
  id: string;
  /** The URL other nodes and operators reach it on. */
  address: string;
  /** Release version it runs. */
  version: string;
  /** Epoch ms (the store's clock). */
  startedAt: number;
  /** Epoch ms of its last heartbeat (the store's clock). */
  lastHeartbeat: number;
  /** How long ago that was, measured on the store's clock (no skew between machines). */
  heartbeatAgeMs: number;
  state: NodeState;
  /** Running instances, as of its last heartbeat. */
  instances: number;
  /** Invocations in flight, as of its last heartbeat. */
  load: number;
}

/** What a heartbeat carries. */
export interface NodeLoad {
  instances: number;
  inflight: number;
}

/** `/_nimbus/ready`: whether a load balancer should send this node traffic. */
export interface Readiness {
  ready: boolean;
  reason?: string;
}

/** Takes over what a dead node held (queue leases, timer runs, instance slots). */
export type NodeDeadHandler = (nodeId: string) => Promise<void>;

export interface Membership {
  readonly nodeId: string;
  /** Registers this node and starts heartbeating. */
  start(): Promise<void>;
  /** Every node the cluster knows, this one included. */
  nodes(): Promise<ClusterNode[]>;
  /**
   * Runs once per dead node, on the one surviving node that declared it
   * dead (also for this node's own previous run when it stopped without
   * deregistering). A handler that throws is logged; the others still run.
   */
  onNodeDead(handler: NodeDeadHandler): () => void;
  /** Whether this node can reach its store now. */
  readiness(): Readiness;
  /** Stops heartbeating and marks this node stopped. */
  stop(): Promise<void>;
}

export const DEFAULT_HEARTBEAT_INTERVAL_MS = 2_000;
export const DEFAULT_DEAD_AFTER_MS = 10_000;
/** Below this a busy machine's garbage collection or a slow disk could get a healthy node declared dead. */
export const MIN_DEAD_AFTER_MS = 3_000;
/** Above this a dead node's queue leases and timer runs wait too long to be taken over. */
export const MAX_DEAD_AFTER_MS = 120_000;

/** Compatible with pino's logger. */
export interface MembershipLog {
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
  error(fields: Record<string, unknown>, message: string): void;
}
