import type { Clock } from '../shared/clock.js';
import type { ClusterNode, Membership, NodeDeadHandler, NodeLoad, Readiness } from './membership.js';

export interface SingleNodeMembershipOptions {
  nodeId: string;
  address: () => string;
  version: string;
  load: () => NodeLoad;
  clock: Clock;
  /** Whether the embedded store can be used (the data folder is healthy). */
  readiness: () => Readiness;
}

/** The embedded (SQLite) mode: the cluster is this node, alive while it runs; nobody else can die. */
export class SingleNodeMembership implements Membership {
  readonly nodeId: string;
  readonly #options: SingleNodeMembershipOptions;
  #startedAt: number | undefined;
  #stopped = false;

  constructor(options: SingleNodeMembershipOptions) {
    this.nodeId = options.nodeId;
    this.#options = options;
  }

  async start(): Promise<void> {
    this.#startedAt = this.#options.clock.now();
  }

  async nodes(): Promise<ClusterNode[]> {
    const now = this.#options.clock.now();
    const load = this.#options.load();
    return [{
      id: this.nodeId, address: this.#options.address(), version: this.#options.version,
      startedAt: this.#startedAt ?? now, lastHeartbeat: now, heartbeatAgeMs: 0,
      state: this.#stopped ? 'stopped' : 'alive', instances: load.instances, load: load.inflight,
    }];
  }

  onNodeDead(_handler: NodeDeadHandler): () => void {
    return () => {};
  }

  readiness(): Readiness {
    if (this.#startedAt === undefined) return { ready: false, reason: 'not started yet' };
    if (this.#stopped) return { ready: false, reason: 'stopped' };
    return this.#options.readiness();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
  }
}
