import { randomUUID } from 'node:crypto';
import { systemClock, type Clock, type TimerHandle } from '../../shared/clock.js';
import type { PgDatabase } from '../../store/postgres/pg-database.js';
import type { PgNotifications } from '../../store/postgres/pg-notifications.js';
import type { InstanceSlots, SlotLease, SlotRequest } from '../instance-slots.js';
import type { NodeLiveness } from './node-liveness.js';

/** NOTIFY channel, payload a function key: a slot of it was given back. */
export const SLOT_FREE_CHANNEL = 'nimbus_slot_free';
/** NOTIFY channel, payload a function key: a node waits for a slot of it. */
export const SLOT_WANTED_CHANNEL = 'nimbus_slot_wanted';

/** A waiting acquire looks again this often even without a notification (one missed while reconnecting, a node declared dead). */
export const DEFAULT_RECHECK_MS = 500;
/** A waiting acquire asks the holders again this often (in re-checks): about every 2 s at the default. */
const ASK_EVERY_ATTEMPTS = 4;
/** A release that could not reach the database is tried again after this long; the slot stays held meanwhile. */
const RELEASE_RETRY_MS = 1_000;

export interface PgInstanceSlotsOptions {
  nodeId: string;
  /** Which holders count as alive; slots of the others are granted again. */
  liveness: NodeLiveness;
  recheckMs?: number;
  clock?: Clock;
}

/** First key of the per-function slot locks: the two-key form keeps them apart from every other advisory lock. */
const SLOT_LOCK_CLASS = 0x4e53; // "NS"

interface PgSlotLease extends SlotLease {
  readonly slot: number;
  readonly leaseId: string;
}

/**
 * Instance slots in PostgreSQL (table instance_slots): granting one runs in
 * a transaction under an advisory lock per function, first freeing the slots
 * of dead nodes, then inserting the lowest free slot number below max. A
 * node that finds every slot taken asks the holders (NOTIFY slot-wanted) to
 * give back an idle instance, and waits for slot-free notifications, with a
 * periodic re-check as a backstop.
 */
export class PgInstanceSlots implements InstanceSlots {
  readonly #db: PgDatabase;
  readonly #notifications: PgNotifications;
  readonly #nodeId: string;
  readonly #liveness: NodeLiveness;
  readonly #recheckMs: number;
  readonly #clock: Clock;
  /** Bumped on every slot-free notification per function: a waiter that saw it change looks again at once. */
  readonly #freed = new Map<string, number>();
  /** Acquires under way here, by function. */
  readonly #acquiring = new Map<string, number>();
  readonly #wakers = new Map<string, Set<() => void>>();
  readonly #wantedHandlers = new Set<(functionKey: string) => void>();
  readonly #releasing = new Set<Promise<void>>();
  /** Ends the pauses of releases waiting to retry (at close). */
  readonly #retryPauses = new Set<() => void>();
  readonly #unsubscribe: (() => void)[] = [];
  #closed = false;

  constructor(db: PgDatabase, notifications: PgNotifications, options: PgInstanceSlotsOptions) {
    this.#db = db;
    this.#notifications = notifications;
    this.#nodeId = options.nodeId;
    this.#liveness = options.liveness;
    this.#recheckMs = options.recheckMs ?? DEFAULT_RECHECK_MS;
    this.#clock = options.clock ?? systemClock;
  }

  get nodeId(): string {
    return this.#nodeId;
  }

  /** Listens for handoffs and frees what an earlier run under this node id still held (its instances are gone). */
  async start(): Promise<void> {
    this.#unsubscribe.push(
      await this.#notifications.listen(SLOT_FREE_CHANNEL, (key) => this.#wake(key)),
      await this.#notifications.listen(SLOT_WANTED_CHANNEL, (key) => {
        for (const handler of this.#wantedHandlers) handler(key);
      }),
      this.#notifications.onReconnect(() => {
        for (const key of [...this.#wakers.keys()]) this.#wake(key);
      }),
    );
    await this.releaseNode(this.#nodeId);
  }

  acquire(functionKey: string, max: number, request: SlotRequest): Promise<SlotLease | undefined> {
    return this.#acquire(functionKey, max, request);
  }

  release(lease: SlotLease): void {
    const done = this.#release(lease as PgSlotLease).finally(() => this.#releasing.delete(done));
    this.#releasing.add(done);
  }

  onSlotWanted(handler: (functionKey: string) => void): () => void {
    this.#wantedHandlers.add(handler);
    return () => this.#wantedHandlers.delete(handler);
  }

  /** Frees every slot a node holds: at this node's start, and for membership's onNodeDead. */
  async releaseNode(nodeId: string): Promise<void> {
    await this.#db.query(
      `WITH freed AS (DELETE FROM instance_slots WHERE node_id = $1 RETURNING function_key)
       SELECT pg_notify($2, function_key) FROM (SELECT DISTINCT function_key FROM freed) AS keys`,
      [nodeId, SLOT_FREE_CHANNEL],
    );
  }

  /** Slots of a function held now across the cluster, dead holders included (for `nimbus nodes`, tests). */
  async held(functionKey: string): Promise<number> {
    const rows = await this.#db.query<{ n: number }>('SELECT count(*)::int AS n FROM instance_slots WHERE function_key = $1', [functionKey]);
    return rows[0]?.n ?? 0;
  }

  /** Stops waiting, finishes releases in flight, then gives back whatever this node still holds. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const unsubscribe of this.#unsubscribe.splice(0)) unsubscribe();
    for (const endPause of [...this.#retryPauses]) endPause();
    for (const key of [...this.#wakers.keys()]) this.#wake(key);
    await Promise.all(this.#releasing);
    // If the database is gone, the node's slots come back when it is declared dead.
    await this.releaseNode(this.#nodeId).catch(() => {});
  }

  async #acquire(functionKey: string, max: number, { waitMs, signal }: SlotRequest): Promise<SlotLease | undefined> {
    const deadline = this.#clock.monotonic() + waitMs;
    this.#acquiring.set(functionKey, (this.#acquiring.get(functionKey) ?? 0) + 1);
    try {
      for (let attempt = 0; ; attempt++) {
        if (this.#closed || signal?.aborted) return undefined;
        const seen = this.#freed.get(functionKey) ?? 0;
        // Every holder with an idle instance stops one per ask: ask on the first try and then every few re-checks, not on each.
        const ask = waitMs > 0 && attempt % ASK_EVERY_ATTEMPTS === 0;
        const lease = await this.#tryTake(functionKey, max, ask);
        if (lease) return lease;
        const left = deadline - this.#clock.monotonic();
        if (left <= 0) return undefined;
        // A slot came free while we were looking: look again now.
        if ((this.#freed.get(functionKey) ?? 0) !== seen) continue;
        await this.#sleep(functionKey, Math.min(left, this.#recheckMs), signal);
      }
    } finally {
      const left = (this.#acquiring.get(functionKey) ?? 1) - 1;
      if (left > 0) this.#acquiring.set(functionKey, left);
      else {
        this.#acquiring.delete(functionKey);
        this.#freed.delete(functionKey);
      }
    }
  }

  /** One transaction: lock the function's slots, free dead holders' slots, take the lowest free one below max. */
  #tryTake(functionKey: string, max: number, askHolders: boolean): Promise<PgSlotLease | undefined> {
    const leaseId = randomUUID();
    return this.#db.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [SLOT_LOCK_CLASS, functionKey]);
      await tx.query(`DELETE FROM instance_slots AS s WHERE s.function_key = $1 AND NOT ${this.#liveness.aliveSql('s.node_id')}`, [functionKey]);
      const granted = await tx.query<{ slot: number }>(
        `INSERT INTO instance_slots (function_key, slot, node_id, lease_id, acquired_at)
         SELECT $1, free.slot, $2, $3, $5 FROM (
           SELECT min(n) AS slot FROM generate_series(0, $4::int - 1) AS n
           WHERE NOT EXISTS (SELECT 1 FROM instance_slots AS s WHERE s.function_key = $1 AND s.slot = n)
         ) AS free
         WHERE free.slot IS NOT NULL
         RETURNING slot`,
        [functionKey, this.#nodeId, leaseId, max, this.#clock.now()],
      );
      const slot = granted[0]?.slot;
      if (slot !== undefined) return { functionKey, slot, leaseId };
      // Delivered at commit: holders with an idle instance stop one and NOTIFY slot-free.
      if (askHolders) await tx.query('SELECT pg_notify($1, $2)', [SLOT_WANTED_CHANNEL, functionKey]);
      return undefined;
    });
  }

  async #release(lease: PgSlotLease): Promise<void> {
    for (;;) {
      try {
        await this.#db.query(
          `WITH freed AS (DELETE FROM instance_slots WHERE lease_id = $1 RETURNING function_key)
           SELECT pg_notify($2, function_key) FROM freed`,
          [lease.leaseId, SLOT_FREE_CHANNEL],
        );
        return;
      } catch {
        // The slot stays held (never over the cap) until the database is back, or the node is declared dead.
        if (this.#closed) return;
        await new Promise<void>((resolve) => {
          const endPause = (): void => {
            this.#clock.clearTimeout(timer);
            this.#retryPauses.delete(endPause);
            resolve();
          };
          const timer: TimerHandle = this.#clock.setTimeout(endPause, RELEASE_RETRY_MS);
          timer.unref();
          this.#retryPauses.add(endPause);
        });
        if (this.#closed) return;
      }
    }
  }

  #wake(functionKey: string): void {
    // Counted only while this node waits for the function: other keys would pile up with every deploy.
    if (this.#acquiring.has(functionKey)) this.#freed.set(functionKey, (this.#freed.get(functionKey) ?? 0) + 1);
    for (const wake of [...(this.#wakers.get(functionKey) ?? [])]) wake();
  }

  #sleep(functionKey: string, ms: number, signal: AbortSignal | undefined): Promise<void> {
    return new Promise((resolve) => {
      let wakers = this.#wakers.get(functionKey);
      if (!wakers) {
        wakers = new Set();
        this.#wakers.set(functionKey, wakers);
      }
      const set = wakers;
      const wake = (): void => {
        this.#clock.clearTimeout(timer);
        signal?.removeEventListener('abort', wake);
        set.delete(wake);
        if (set.size === 0 && this.#wakers.get(functionKey) === set) this.#wakers.delete(functionKey);
        resolve();
      };
      const timer = this.#clock.setTimeout(wake, ms);
      set.add(wake);
      signal?.addEventListener('abort', wake, { once: true });
    });
  }
}
