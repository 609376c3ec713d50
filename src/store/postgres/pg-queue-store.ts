import { SendListeners } from '../send-listeners.js';
import type { Clock, TimerHandle } from '../../shared/clock.js';
import {
  DEDUP_WINDOW_MS, encodeMessages, queueStatsFrom, LEASE_OWNER_LOST_ERROR,
  leaseToken, receiveProblem, validateExistingQueueName, validateQueueName,
  type DeadLetterOptions, type EncodedMessage, type LeasedMessage, type MessageState, type NewMessage, type PeekedMessage,
  type QueueStats, type QueueStore, type ReceiveOptions, type ReleaseOptions, type SendOptions, type SendResult,
} from '../queue-store.js';
import type { PgDatabase, PgQueryable } from './pg-database.js';
import type { PgNotifications } from './pg-notifications.js';
import * as sql from './pg-queue-sql.js';

/** Expired dedup ids are swept at most this often (by each node). */
const DEDUP_SWEEP_INTERVAL_MS = 60_000;
/** A queue counts as at its cap for this long after a capped receive was cut short by it. */
const SATURATION_MEMORY_MS = 30_000;
/**
 * While a queue is at its cap here, its listeners are woken this often to look
 * again: the safety net under the NOTIFY that acks of a capped queue send.
 */
export const CAP_RECHECK_MS = 500;

interface AckGroup {
  seqs: string[];
  done: Promise<void>;
}

export interface PgQueueStoreOptions {
  /** Recorded on every lease this node takes; see releaseLeasesOf. */
  nodeId: string;
  /** Wake-ups from other nodes; without it, only this node's own writes wake its listeners. */
  notifications?: PgNotifications;
}

interface PendingSend {
  queue: string;
  messages: EncodedMessage[];
  resolve: (results: SendResult[]) => void;
  reject: (reason: unknown) => void;
}

interface MessageRow {
  seq: string;
  queue: string;
  body: string;
  priority: string;
  enqueued_at: string;
  visible_at: string;
  leased: boolean;
  attempts: number;
  last_error: string | null;
  dead_from: string | null;
}

/**
 * Queues in PostgreSQL, shared by every node of a cluster.
 *
 * - Sends asked for in one turn of the event loop are written by one
 *   statement (one round trip, one commit; with dedup ids, one short
 *   transaction) and resolve only after it committed.
 * - Leases take ready rows with `FOR UPDATE SKIP LOCKED`, so nodes leasing at
 *   once skip each other's rows instead of waiting or double-delivering.
 * - Every commit that makes messages receivable sends one NOTIFY per queue
 *   (`nimbus_queue`, payload `<queue> <nodeId>`): every node's listeners
 *   wake; this node's own fire right after its commit, without the echo.
 * - A capped receive (`maxInFlight`) holds a per-queue advisory lock while it
 *   counts the batches in flight and leases, so the cap is exact across nodes.
 *
 * Message ids are the identity column, as decimal strings.
 */
export class PgQueueStore implements QueueStore {
  readonly #db: PgDatabase;
  readonly #clock: Clock;
  readonly #nodeId: string;
  readonly #listeners = new SendListeners();
  /** Queues whose last capped receive here was cut short by the cap, and when: their acks wake other nodes. */
  readonly #saturated = new Map<string, number>();
  readonly #rechecks = new Map<string, TimerHandle>();
  #closed = false;
  readonly #work = new Set<Promise<unknown>>();
  readonly #stopListening: Promise<(() => void)[]>;
  #pending: PendingSend[] = [];
  /** Acks gathered in this tick, written together. */
  #acks: AckGroup | undefined;
  /** Capped receives under way, by queue. */
  readonly #capReceives = new Map<string, number>();
  #scheduled = false;
  #lastDedupSweep = 0;

  constructor(db: PgDatabase, clock: Clock, options: PgQueueStoreOptions) {
    if (/\s/.test(options.nodeId) || options.nodeId === '') throw new Error(`not a node id: ${JSON.stringify(options.nodeId)}`);
    this.#db = db;
    this.#clock = clock;
    this.#nodeId = options.nodeId;
    const notifications = options.notifications;
    this.#stopListening = notifications
      ? Promise.all([
        notifications.listen(sql.CHANNEL, (payload) => this.#heard(payload)),
        // Notifications sent while the connection was away are lost: wake everyone once.
        Promise.resolve(notifications.onReconnect(() => {
          for (const queue of this.#listeners.queues()) this.#fire(queue);
        })),
      ])
      : Promise.resolve([]);
  }

  /** Resolves once this store listens for other nodes' notifications. */
  async ready(): Promise<void> {
    await this.#stopListening;
  }

  send(queue: string, messages: NewMessage[], options: SendOptions = {}): Promise<SendResult[]> {
    try {
      validateQueueName(queue, options);
      const encoded = encodeMessages(messages);
      if (encoded.length === 0) return Promise.resolve([]);
      return new Promise<SendResult[]>((resolve, reject) => {
        this.#pending.push({ queue, messages: encoded, resolve, reject });
        if (!this.#scheduled) {
          this.#scheduled = true;
          setImmediate(() => this.#track(this.#flushSends()));
        }
      });
    } catch (err) {
      return Promise.reject(err);
    }
  }

  async receive(queue: string, max: number, visibilityTimeoutMs: number, options: ReceiveOptions = {}): Promise<LeasedMessage[]> {
    const problem = receiveProblem(max, options);
    if (problem) throw new RangeError(`receive: ${problem}`);
    const now = this.#clock.now();
    const consumer = options.consumer ?? '';
    const batchSize = options.batchSize ?? max;
    const join = options.joinBatchOf === undefined ? null : toSeq(options.joinBatchOf);
    const capped = options.maxInFlight !== undefined && join === null;
    const params = [
      queue, now, max, now + visibilityTimeoutMs, this.#nodeId, consumer, join, leaseToken(), batchSize, capped ? options.maxInFlight : null,
    ];
    // While a capped receive counts, an ack committing beside it may free what it counted as taken:
    // such acks report the queue as freed, so the consumer looks again instead of waiting for the backstop.
    if (capped) this.#capReceives.set(queue, (this.#capReceives.get(queue) ?? 0) + 1);
    let rows: sql.LeaseRow[];
    try {
      rows = capped
        ? await this.#db.transaction(async (tx) => {
          // Receivers of one queue and consumer take turns: each counts what the previous one committed.
          await tx.query(sql.LOCK_QUEUE, [`${queue}/${consumer}`]);
          return tx.query<sql.LeaseRow>(sql.LEASE, params);
        })
        : await this.#db.query<sql.LeaseRow>(sql.LEASE, params);
    } finally {
      if (capped) {
        const left = (this.#capReceives.get(queue) ?? 1) - 1;
        if (left === 0) this.#capReceives.delete(queue);
        else this.#capReceives.set(queue, left);
      }
    }
    if (capped) {
      if (Number(rows[0]?.allowed ?? max) < max) this.#atCap(queue, now);
      else this.#belowCap(queue);
    }
    return rows
      .filter((row) => row.seq !== null)
      .map((row): LeasedMessage => ({
        id: row.seq!, queue, body: JSON.parse(row.body!), attempts: row.attempts!, lastError: row.last_error,
        priority: Number(row.priority), enqueuedAt: Number(row.enqueued_at),
      }))
      .sort((a, b) => b.priority - a.priority || Number(a.id) - Number(b.id));
  }

  /**
   * Acks of one tick share one statement (and one commit): handlers that
   * finish together would otherwise each wait for a commit of their own.
   */
  ack(ids: string[]): Promise<void> {
    if (ids.length === 0) return Promise.resolve();
    if (!this.#acks) {
      const group: AckGroup = { seqs: [], done: Promise.resolve() };
      group.done = new Promise<void>((resolve) => setImmediate(resolve)).then(async () => {
        this.#acks = undefined;
        const freed = await this.#db.query<{ queue: string }>(sql.ACK, [group.seqs, this.#saturatedQueues(), this.#nodeId]);
        for (const { queue } of freed) this.#fire(queue);
      });
      this.#acks = group;
      this.#track(group.done.catch(() => {}));
    }
    this.#acks.seqs.push(...ids.map(toSeq));
    return this.#acks.done;
  }

  async release(id: string, options: ReleaseOptions): Promise<void> {
    const delayMs = Math.max(0, options.delayMs ?? 0);
    const rows = await this.#db.query<{ queue: string }>(sql.RELEASE, [
      toSeq(id), this.#clock.now() + delayMs, options.countAttempt ? 1 : 0, options.error ?? null,
      delayMs === 0, this.#saturatedQueues(), this.#nodeId,
    ]);
    for (const { queue } of rows) this.#fire(queue);
  }

  async deadLetter(id: string, error: string, options: DeadLetterOptions = {}): Promise<void> {
    if (options.queue !== undefined) validateExistingQueueName(options.queue);
    const rows = await this.#db.query<{ queue: string | null }>(sql.DEAD_LETTER, [
      toSeq(id), options.queue ?? null, this.#clock.now(), options.countAttempt === false ? 0 : 1, error,
      this.#saturatedQueues(), this.#nodeId,
    ]);
    for (const { queue } of rows) if (queue !== null) this.#fire(queue);
  }

  async nextVisibleAt(queue: string): Promise<number | null> {
    const [row] = await this.#db.query<{ next: string | null }>(sql.NEXT_VISIBLE, [queue, this.#clock.now()]);
    return row?.next == null ? null : Number(row.next);
  }

  async queuesWithMessages(prefix: string): Promise<string[]> {
    const rows = await this.#db.query<{ name: string }>(sql.QUEUES_WITH_MESSAGES, [prefix]);
    return rows.map((row) => row.name);
  }

  async listQueues(): Promise<QueueStats[]> {
    const now = this.#clock.now();
    const [names, counts, dead] = await Promise.all([
      this.#db.query<{ name: string }>(sql.NAMES),
      this.#db.query<{ queue: string; depth: string; in_flight: string; delayed: string; oldest: string }>(sql.STATS, [now]),
      this.#db.query<{ dead_from: string; n: string }>(sql.DEAD_STATS),
    ]);
    return queueStatsFrom(
      now,
      names.map((row) => row.name),
      counts.map((row) => ({
        queue: row.queue, depth: Number(row.depth), inFlight: Number(row.in_flight), delayed: Number(row.delayed), oldest: Number(row.oldest),
      })),
      dead.map((row) => ({ from: row.dead_from, count: Number(row.n) })),
    );
  }

  async peek(queue: string, limit: number): Promise<PeekedMessage[]> {
    const now = this.#clock.now();
    const rows = await this.#db.query<MessageRow>(sql.PEEK, [queue, limit]);
    return rows.map((row) => ({
      id: row.seq, queue: row.queue, body: JSON.parse(row.body), attempts: row.attempts, lastError: row.last_error,
      priority: Number(row.priority), enqueuedAt: Number(row.enqueued_at),
      state: stateOf(row, now), visibleAt: Number(row.visible_at), deadLetteredFrom: row.dead_from,
    }));
  }

  async purge(queue: string): Promise<number> {
    const [row] = await this.#db.query<{ n: string }>(sql.PURGE, [queue]);
    return Number(row?.n ?? 0);
  }

  async redrive(name: string): Promise<number> {
    const rows = await this.#db.query<{ queue: string; n: string }>(sql.REDRIVE, [name, this.#clock.now(), this.#nodeId]);
    for (const { queue } of rows) this.#fire(queue);
    return rows.reduce((sum, row) => sum + Number(row.n), 0);
  }

  async releaseLeasesOf(nodeId: string): Promise<number> {
    const rows = await this.#db.query<{ queue: string; n: string }>(sql.RELEASE_LEASES_OF, [nodeId, this.#clock.now(), LEASE_OWNER_LOST_ERROR, this.#nodeId]);
    for (const { queue } of rows) this.#fire(queue);
    return rows.reduce((sum, row) => sum + Number(row.n), 0);
  }

  onSend(queue: string, listener: () => void): () => void {
    return this.#listeners.add(queue, listener);
  }

  /** Writes pending sends and waits for work in progress; stops listening. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const queue of [...this.#rechecks.keys()]) this.#belowCap(queue);
    if (this.#pending.length > 0) this.#track(this.#flushSends());
    while (this.#work.size > 0) await Promise.allSettled([...this.#work]);
    for (const stop of await this.#stopListening.catch(() => [])) stop();
  }

  async #flushSends(): Promise<void> {
    this.#scheduled = false;
    const batch = this.#pending;
    this.#pending = [];
    if (batch.length === 0) return;
    const now = this.#clock.now();
    this.#sweepDedup(now);
    let results: SendResult[][];
    try {
      results = await this.#writeSends(batch, now);
    } catch (error) {
      for (const send of batch) send.reject(error);
      return;
    }
    batch.forEach((send, i) => send.resolve(results[i]!));
    for (const queue of new Set(batch.filter((_, i) => results[i]!.some((r) => !r.duplicate)).map((s) => s.queue))) this.#fire(queue);
  }

  /**
   * Decides each message of the group: new, or a duplicate of an earlier one
   * (in this group, or within the window in the table), then writes the new
   * ones. Dedup ids are claimed first, in a fixed order, so two nodes sending
   * the same id at once take turns on its row and exactly one writes it.
   */
  async #writeSends(batch: PendingSend[], now: number): Promise<SendResult[][]> {
    const dedupKeys = new Map<string, { queue: string; dedupId: string }>();
    for (const send of batch) {
      for (const m of send.messages) if (m.dedupId !== null) dedupKeys.set(keyOf(send.queue, m.dedupId), { queue: send.queue, dedupId: m.dedupId });
    }
    if (dedupKeys.size === 0) return this.#insert(this.#db, batch, now, new Map());
    const keys = [...dedupKeys.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, k]) => k);
    return this.#db.transaction(async (tx) => {
      const claimed = new Set((await tx.query<{ queue: string; dedup_id: string }>(sql.CLAIM_DEDUP, [
        keys.map((k) => k.queue), keys.map((k) => k.dedupId), now + DEDUP_WINDOW_MS, now,
      ])).map((row) => keyOf(row.queue, row.dedup_id)));
      const taken = keys.filter((k) => !claimed.has(keyOf(k.queue, k.dedupId)));
      const existing = new Map<string, string>();
      if (taken.length > 0) {
        const rows = await tx.query<{ queue: string; dedup_id: string; message_id: string }>(sql.FIND_DEDUP, [taken.map((k) => k.queue), taken.map((k) => k.dedupId)]);
        for (const row of rows) existing.set(keyOf(row.queue, row.dedup_id), row.message_id);
      }
      return this.#insert(tx, batch, now, existing);
    });
  }

  /** One statement writes the group's new messages, fills their dedup rows, registers the queues and notifies. */
  async #insert(db: PgQueryable, batch: PendingSend[], now: number, existing: Map<string, string>): Promise<SendResult[][]> {
    const columns = { queue: [] as string[], body: [] as string[], priority: [] as number[], delay: [] as number[] };
    const dedup = { queue: [] as string[], id: [] as string[], index: [] as number[] };
    /** Per message: the index of its row in `columns`, or the id it duplicates. */
    const plan: ({ row: number } | { duplicateOf: string } | { duplicateOfRow: number })[][] = [];
    const firstRow = new Map<string, number>();
    for (const send of batch) {
      plan.push(send.messages.map((m) => {
        if (m.dedupId !== null) {
          const key = keyOf(send.queue, m.dedupId);
          const original = existing.get(key);
          if (original !== undefined) return { duplicateOf: original };
          const row = firstRow.get(key);
          if (row !== undefined) return { duplicateOfRow: row };
        }
        const row = columns.queue.length;
        columns.queue.push(send.queue);
        columns.body.push(m.json);
        columns.priority.push(m.priority);
        columns.delay.push(m.delayMs);
        if (m.dedupId !== null) {
          firstRow.set(keyOf(send.queue, m.dedupId), row);
          dedup.queue.push(send.queue);
          dedup.id.push(m.dedupId);
          dedup.index.push(row + 1);
        }
        return { row };
      }));
    }
    const rows = await db.query<{ i: string; seq: string }>(sql.INSERT_MESSAGES, [
      columns.queue, columns.body, columns.priority, columns.delay, now,
      dedup.queue, dedup.id, dedup.index, [...new Set(batch.map((s) => s.queue))], this.#nodeId,
    ]);
    const ids: string[] = [];
    for (const row of rows) ids[Number(row.i) - 1] = row.seq;
    return plan.map((messages) => messages.map((p): SendResult => {
      if ('row' in p) return { id: ids[p.row]!, duplicate: false };
      if ('duplicateOf' in p) return { id: p.duplicateOf, duplicate: true };
      return { id: ids[p.duplicateOfRow]!, duplicate: true };
    }));
  }

  #sweepDedup(now: number): void {
    if (now - this.#lastDedupSweep < DEDUP_SWEEP_INTERVAL_MS) return;
    this.#lastDedupSweep = now;
    this.#track(this.#db.query(sql.SWEEP_DEDUP, [now]).catch(() => {}));
  }

  #atCap(queue: string, now: number): void {
    this.#saturated.set(queue, now);
    if (this.#rechecks.has(queue) || this.#closed) return;
    const timer = this.#clock.setTimeout(() => {
      this.#rechecks.delete(queue);
      this.#fire(queue);
    }, CAP_RECHECK_MS);
    timer.unref();
    this.#rechecks.set(queue, timer);
  }

  #belowCap(queue: string): void {
    this.#saturated.delete(queue);
    const timer = this.#rechecks.get(queue);
    if (timer) this.#clock.clearTimeout(timer);
    this.#rechecks.delete(queue);
  }

  #saturatedQueues(): string[] {
    const since = this.#clock.now() - SATURATION_MEMORY_MS;
    for (const [queue, at] of this.#saturated) if (at < since) this.#saturated.delete(queue);
    return [...new Set([...this.#saturated.keys(), ...this.#capReceives.keys()])];
  }

  #heard(payload: string): void {
    const space = payload.lastIndexOf(' ');
    // This node's own commits woke its listeners already.
    if (space < 0 || payload.slice(space + 1) === this.#nodeId) return;
    this.#fire(payload.slice(0, space));
  }

  #fire(queue: string): void {
    this.#listeners.wake(queue);
  }

  #track<T>(work: Promise<T>): void {
    this.#work.add(work);
    void work.finally(() => this.#work.delete(work));
  }
}

function keyOf(queue: string, dedupId: string): string {
  return `${queue}\u0000${dedupId}`;
}

function toSeq(id: string): string {
  // Ids that were never ours match no row.
  return /^\d{1,18}$/.test(id) ? id : '-1';
}

function stateOf(row: MessageRow, now: number): MessageState {
  if (Number(row.visible_at) <= now) return 'ready';
  return row.leased ? 'in-flight' : 'delayed';
}
