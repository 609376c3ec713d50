import type { Clock, TimerHandle } from '../shared/clock.js';
import type { PgQueryable } from '../store/postgres/pg-database.js';
import {
  DEFAULT_DEAD_AFTER_MS, DEFAULT_HEARTBEAT_INTERVAL_MS,
  type ClusterNode, type Membership, type MembershipLog, type NodeDeadHandler, type NodeLoad, type NodeState, type Readiness,
} from './membership.js';

/** Rows of nodes that stopped or died are kept this long for `nimbus nodes`, then removed. */
const FORGET_ENDED_AFTER = '1 day';

export interface PgMembershipOptions {
  nodeId: string;
  /** The URL others reach this node on; read at start (the port may only be known then). */
  address: () => string;
  version: string;
  /** Where this node keeps blobs (`blobsIdentity`), recorded for nodes that start later to compare with. */
  blobs?: string;
  /** What each heartbeat reports. */
  load: () => NodeLoad;
  clock: Clock;
  log: MembershipLog;
  heartbeatIntervalMs?: number;
  /** A node silent this long (database clock) is declared dead. */
  deadAfterMs?: number;
  /** Readiness is lost when the last successful heartbeat is older than this; default half of deadAfterMs. */
  readyWithinMs?: number;
}

interface NodeRow {
  id: string; address: string; version: string; state: NodeState;
  started_at: number; heartbeat_at: number; age: number; instances: number; load: number;
}

/**
 * Membership on PostgreSQL: each node upserts its row at start and bumps its
 * heartbeat every couple of seconds; on each beat it also declares dead any
 * node whose heartbeat is older than the dead-after time. The declaration is
 * one conditional UPDATE, so when several survivors try at once exactly one
 * wins and runs the takeover handlers. A node that finds its own row declared
 * dead (it was paused, or cut off from the database) registers again.
 */
export class PgMembership implements Membership {
  readonly nodeId: string;
  readonly #db: PgQueryable;
  readonly #options: PgMembershipOptions;
  readonly #intervalMs: number;
  readonly #deadAfterMs: number;
  readonly #readyWithinMs: number;
  readonly #handlers = new Set<NodeDeadHandler>();
  #timer: TimerHandle | undefined;
  #beating: Promise<string[]> = Promise.resolve([]);
  #state: 'new' | 'running' | 'stopped' = 'new';
  /** Monotonic ms of the last heartbeat the database took. */
  #reachedAt: number | undefined;
  #lastError: string | undefined;

  constructor(db: PgQueryable, options: PgMembershipOptions) {
    this.nodeId = options.nodeId;
    this.#db = db;
    this.#options = options;
    this.#intervalMs = options.heartbeatIntervalMs ?? DEFAULT_HEARTBEAT_INTERVAL_MS;
    this.#deadAfterMs = options.deadAfterMs ?? DEFAULT_DEAD_AFTER_MS;
    this.#readyWithinMs = options.readyWithinMs ?? Math.max(this.#intervalMs, this.#deadAfterMs / 2);
  }

  async start(): Promise<void> {
    if (this.#state !== 'new') throw new Error('membership already started');
    const previous = await this.#register(false);
    this.#state = 'running';
    this.#reachedAt = this.#options.clock.monotonic();
    // The previous run on this data folder died without deregistering and nobody declared it dead yet: its holdings are taken over now.
    if (previous === 'alive') {
      this.#options.log.warn({ nodeId: this.nodeId }, 'this node stopped last time without deregistering: taking over what it held');
      await this.#runDeadHandlers(this.nodeId);
    }
    this.#schedule();
  }

  onNodeDead(handler: NodeDeadHandler): () => void {
    this.#handlers.add(handler);
    return () => this.#handlers.delete(handler);
  }

  async nodes(): Promise<ClusterNode[]> {
    const rows = await this.#db.query<NodeRow>(`
      SELECT id, address, version, state, instances, load,
             (extract(epoch FROM started_at) * 1000)::float8 AS started_at,
             (extract(epoch FROM heartbeat_at) * 1000)::float8 AS heartbeat_at,
             (extract(epoch FROM now() - heartbeat_at) * 1000)::float8 AS age
      FROM cluster_nodes ORDER BY id`);
    return rows.map((r) => ({
      id: r.id, address: r.address, version: r.version,
      startedAt: Math.round(r.started_at), lastHeartbeat: Math.round(r.heartbeat_at), heartbeatAgeMs: Math.max(0, Math.round(r.age)),
      state: r.state, instances: r.instances, load: r.load,
    }));
  }

  readiness(): Readiness {
    if (this.#state !== 'running') return { ready: false, reason: this.#state === 'new' ? 'not registered yet' : 'stopped' };
    if (this.#lastError !== undefined) return { ready: false, reason: `store unreachable: ${this.#lastError}` };
    const age = this.#reachedAt === undefined ? Infinity : this.#options.clock.monotonic() - this.#reachedAt;
    if (age > this.#readyWithinMs) return { ready: false, reason: `no successful heartbeat for ${Math.round(age)} ms` };
    return { ready: true };
  }

  /**
   * One heartbeat and one look for dead nodes, now; resolves with the nodes
   * this call declared dead (after their handlers ran). The timer calls it;
   * tests call it to step the membership without waiting.
   */
  heartbeatNow(): Promise<string[]> {
    const run = this.#beating.then(() => this.#beat());
    this.#beating = run.catch(() => []);
    return run;
  }

  async stop(): Promise<void> {
    if (this.#state === 'stopped') return;
    const wasRunning = this.#state === 'running';
    this.#state = 'stopped';
    if (this.#timer) this.#options.clock.clearTimeout(this.#timer);
    await this.#beating;
    if (!wasRunning) return;
    await this.#db.query(
      `UPDATE cluster_nodes SET state = 'stopped', ended_at = now(), ended_by = $1, heartbeat_at = now(), instances = 0, load = 0
       WHERE id = $1 AND state = 'alive'`, [this.nodeId],
    );
  }

  /** For tests: stops heartbeating without deregistering, as a killed process would. */
  abandon(): void {
    this.#state = 'stopped';
    if (this.#timer) this.#options.clock.clearTimeout(this.#timer);
  }

  #schedule(): void {
    if (this.#state !== 'running') return;
    this.#timer = this.#options.clock.setTimeout(() => {
      this.#timer = undefined;
      void this.heartbeatNow().finally(() => this.#schedule());
    }, this.#intervalMs);
    this.#timer.unref();
  }

  async #beat(): Promise<string[]> {
    if (this.#state !== 'running') return [];
    const load = this.#options.load();
    try {
      const rows = await this.#db.query(
        `UPDATE cluster_nodes SET heartbeat_at = now(), instances = $2, load = $3 WHERE id = $1 AND state = 'alive' RETURNING id`,
        [this.nodeId, load.instances, load.inflight],
      );
      if (rows.length === 0) {
        this.#options.log.warn({ nodeId: this.nodeId }, 'this node was declared dead by the cluster (it missed its heartbeats): registering again');
        await this.#register(true);
      }
      this.#reachedAt = this.#options.clock.monotonic();
      this.#lastError = undefined;
    } catch (err) {
      this.#lastError = err instanceof Error ? err.message : String(err);
      return [];
    }
    try {
      return await this.#declareDead();
    } catch (err) {
      this.#options.log.error({ err }, 'looking for dead nodes failed');
      return [];
    }
  }

  /** Returns the state the row had before (undefined: a new node). */
  async #register(rejoining: boolean): Promise<NodeState | undefined> {
    const load = this.#options.load();
    const rows = await this.#db.query<{ previous: NodeState | null }>(`
      WITH previous AS (SELECT state FROM cluster_nodes WHERE id = $1)
      INSERT INTO cluster_nodes AS n (id, address, version, state, started_at, heartbeat_at, instances, load, blobs)
      VALUES ($1, $2, $3, 'alive', now(), now(), $4, $5, $7)
      ON CONFLICT (id) DO UPDATE SET
        address = EXCLUDED.address, version = EXCLUDED.version, state = 'alive', blobs = EXCLUDED.blobs,
        started_at = CASE WHEN $6 THEN n.started_at ELSE now() END,
        heartbeat_at = now(), ended_at = NULL, ended_by = NULL, instances = EXCLUDED.instances, load = EXCLUDED.load
      RETURNING (SELECT state FROM previous) AS previous`,
      [this.nodeId, this.#options.address(), this.#options.version, load.instances, load.inflight, rejoining, this.#options.blobs ?? null],
    );
    return rows[0]?.previous ?? undefined;
  }

  async #declareDead(): Promise<string[]> {
    // Row locks make this exact: a second survivor's UPDATE re-reads the row after the first commits and no longer matches.
    const dead = await this.#db.query<{ id: string }>(
      `UPDATE cluster_nodes SET state = 'dead', ended_at = now(), ended_by = $1
       WHERE state = 'alive' AND id <> $1 AND heartbeat_at < now() - $2 * interval '1 millisecond'
       RETURNING id`,
      [this.nodeId, this.#deadAfterMs],
    );
    await this.#db.query(`DELETE FROM cluster_nodes WHERE state <> 'alive' AND ended_at < now() - interval '${FORGET_ENDED_AFTER}'`);
    for (const { id } of dead) {
      this.#options.log.warn({ deadNode: id, deadAfterMs: this.#deadAfterMs }, 'a node stopped heartbeating: declared it dead, taking over what it held');
      await this.#runDeadHandlers(id);
    }
    return dead.map((d) => d.id);
  }

  async #runDeadHandlers(nodeId: string): Promise<void> {
    for (const handler of this.#handlers) {
      try {
        await handler(nodeId);
      } catch (err) {
        this.#options.log.error({ err, deadNode: nodeId }, 'taking over from a dead node failed');
      }
    }
  }
}
