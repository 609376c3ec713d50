import { SendListeners } from '../send-listeners.js';
import type { SqliteDatabase, SqliteStatement } from './sqlite-database.js';
import { CostBoundedCache } from '../../shared/cost-bounded-cache.js';
import type { Clock } from '../../shared/clock.js';
import {
  DEDUP_WINDOW_MS, deadLetterQueueName, encodeMessages, queueStatsFrom, LEASE_EXPIRED_ERROR, LEASE_OWNER_LOST_ERROR,
  leaseToken, receiveProblem, validateExistingQueueName, validateQueueName,
  type DeadLetterOptions, type LeasedMessage, type MessageState, type NewMessage, type PeekedMessage, type QueueStats,
  type QueueStore, type ReceiveOptions, type ReleaseOptions, type SendOptions, type SendResult,
} from '../queue-store.js';
import { migrateSqlite, type SqliteMigration } from './sqlite-migrations.js';
import { UnsyncedCommits } from './unsynced-commits.js';
import { WalSync } from './wal-sync.js';

export { LEASE_EXPIRED_ERROR };

/** Expired dedup ids are swept at most this often. */
const DEDUP_SWEEP_INTERVAL_MS = 60_000;

interface PendingWrite {
  work: () => unknown;
  durable: boolean;
  resolve: (value: unknown) => void;
  reject: (reason: unknown) => void;
}

/**
 * Group commit: every write asked for during one turn of the event loop runs
 * in ONE transaction, and all of them resolve only after it committed. One
 * fsync then serves every concurrent sender, consumer lease and ack. Each
 * write runs in its own savepoint, so a failing write fails alone; a failed
 * commit fails them all, and nobody is told "written" for what was not.
 *
 * Every batch commits with `synchronous=NORMAL`, which survives a crash of
 * the process. A batch with a `durable` write (a send: something acknowledged
 * to someone outside) is then taken to the disk by its connection's WalSync,
 * an fsync off the event loop, and its durable writes resolve only after
 * that; the loop serves others meanwhile, and commits made during one fsync
 * share the next. Writes that acknowledge nothing (leases, acks, retries)
 * resolve at the commit: losing one in a power cut means a message is
 * delivered again, which at-least-once delivery allows. A connection that is
 * not in WAL mode has no WalSync: its durable batches commit at the
 * connection's own level, fsync included, as before.
 *
 * One instance per database connection (see `groupCommitFor`), so all stores
 * on that connection share the transaction.
 */
export class SqliteGroupCommit {
  readonly #db: SqliteDatabase;
  readonly #flush: (batch: PendingWrite[]) => unknown[];
  readonly #runOne: (work: () => unknown) => unknown;
  readonly #afterCommit: (() => void)[] = [];
  readonly #unsynced: UnsyncedCommits;
  readonly #walSync: WalSync | null;
  #pending: PendingWrite[] = [];
  #scheduled = false;

  /** `walSync`: the connection's own (WalSync.for) unless a test hands in another. */
  constructor(db: SqliteDatabase, walSync: WalSync | null = WalSync.for(db)) {
    this.#db = db;
    this.#unsynced = UnsyncedCommits.for(db);
    this.#walSync = walSync;
    // A nested transaction is a savepoint.
    this.#runOne = db.transaction((work: () => unknown) => work());
    const all = db.transaction((batch: PendingWrite[]) => batch.map((write) => {
      try {
        return { ok: true, value: this.#runOne(write.work) };
      } catch (error) {
        // SQLITE_FULL, SQLITE_IOERR and the like roll back the whole transaction, not just the
        // savepoint: nothing of the batch was written, and what follows would run outside it.
        if (!db.inTransaction) throw error;
        return { ok: false, error };
      }
    }));
    this.#flush = (batch) => all.immediate(batch);
  }

  /** Runs `work` inside the next group transaction; resolves with its result after the commit. */
  run<T>(work: () => T, options: { durable: boolean } = { durable: true }): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#pending.push({ work, durable: options.durable, resolve: resolve as (value: unknown) => void, reject });
      if (!this.#scheduled) {
        this.#scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  /** Queues `fn` to run once the current group transaction committed (notifications). */
  afterCommit(fn: () => void): void {
    this.#afterCommit.push(fn);
  }

  /** Writes everything pending now and waits for the fsync that takes it to the disk. */
  async close(): Promise<void> {
    this.flush();
    await this.#walSync?.close();
  }

  /** Writes everything pending now. Called by the scheduler, and by `close()` before the database goes away. */
  flush(): void {
    this.#scheduled = false;
    const batch = this.#pending;
    if (batch.length === 0) return;
    this.#pending = [];
    const durable = batch.some((write) => write.durable);
    let results: { ok: boolean; value?: unknown; error?: unknown }[];
    try {
      if (!this.#db.open) throw new Error('the database is closed');
      results = (durable && this.#walSync === null ? this.#flush(batch) : this.#unsynced.run(() => this.#flush(batch))) as typeof results;
    } catch (error) {
      this.#afterCommit.length = 0;
      for (const write of batch) write.reject(error);
      return;
    }
    // Writes that failed wrote nothing, and those that acknowledge nothing need no disk: both are told at once.
    const synced = durable ? this.#walSync?.sync() : undefined;
    // Its failure reaches each durable write below; when all of them failed there is none to hear it.
    synced?.catch(() => {});
    batch.forEach((write, i) => {
      const result = results[i]!;
      if (!result.ok) write.reject(result.error);
      else if (synced && write.durable) synced.then(() => write.resolve(result.value), write.reject);
      else write.resolve(result.value);
    });
    for (const fn of this.#afterCommit.splice(0)) {
      try {
        fn();
      } catch {
        // A listener must never affect a commit that already happened.
      }
    }
  }
}

/** For the consumer's bookkeeping: see SqliteGroupCommit. */
export const NOT_DURABLE = { durable: false } as const;

const groupCommits = new WeakMap<SqliteDatabase, SqliteGroupCommit>();

/** The group commit shared by every store on this connection. */
export function groupCommitFor(db: SqliteDatabase): SqliteGroupCommit {
  let group = groupCommits.get(db);
  if (!group) {
    group = new SqliteGroupCommit(db);
    groupCommits.set(db, group);
  }
  return group;
}

/** Schema steps of this area; see migrateSqlite. */
export const QUEUE_MIGRATIONS: readonly SqliteMigration[] = [{ version: 1, sql: `
CREATE TABLE IF NOT EXISTS queue_names (
  name TEXT PRIMARY KEY,
  created_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS queue_messages (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  queue TEXT NOT NULL,
  body TEXT NOT NULL,
  priority INTEGER NOT NULL,
  enqueued_at INTEGER NOT NULL,
  -- ready when visible_at <= now; a delay or a lease moves it into the future
  visible_at INTEGER NOT NULL,
  leased INTEGER NOT NULL DEFAULT 0,
  attempts INTEGER NOT NULL DEFAULT 0,
  last_error TEXT,
  dead_from TEXT
);
CREATE INDEX IF NOT EXISTS queue_messages_delivery ON queue_messages (queue, priority DESC, visible_at);
CREATE INDEX IF NOT EXISTS queue_messages_dead ON queue_messages (dead_from) WHERE dead_from IS NOT NULL;
CREATE TABLE IF NOT EXISTS queue_dedup (
  queue TEXT NOT NULL,
  dedup_id TEXT NOT NULL,
  message_id TEXT NOT NULL,
  expires_at INTEGER NOT NULL,
  PRIMARY KEY (queue, dedup_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS queue_dedup_expiry ON queue_dedup (expires_at);
` }, { version: 2, sql: `
-- Who holds a lease: the node, the batch (for caps counted in batches) and the consumer.
ALTER TABLE queue_messages ADD COLUMN leased_by TEXT;
ALTER TABLE queue_messages ADD COLUMN lease_id TEXT;
ALTER TABLE queue_messages ADD COLUMN leased_for TEXT;
CREATE INDEX queue_messages_in_flight ON queue_messages (queue, leased_for, visible_at) WHERE leased = 1;
CREATE INDEX queue_messages_leased_by ON queue_messages (leased_by) WHERE leased = 1;
` }];

export interface SqliteQueueStoreOptions {
  /** Recorded on every lease; see releaseLeasesOf. Default 'local'. */
  nodeId?: string;
}

/** What a lease returns: seq, body, priority, enqueued_at, attempts, last_error. */
type LeasedRow = [number, string, number, number, number, string | null];

interface MessageRow {
  seq: number;
  queue: string;
  body: string;
  priority: number;
  enqueued_at: number;
  visible_at: number;
  leased: number;
  attempts: number;
  last_error: string | null;
  dead_from: string | null;
}

/**
 * Queues in SQLite. The connection comes from the store composer with WAL and
 * `synchronous=FULL`, so a commit is on disk when it returns. Message ids are
 * the AUTOINCREMENT row ids (never reused), as decimal strings.
 */
export class SqliteQueueStore implements QueueStore {
  readonly #clock: Clock;
  readonly #group: SqliteGroupCommit;
  readonly #listeners = new SendListeners();
  readonly #stats = new CostBoundedCache(() => this.#countQueues());
  readonly #sql: Record<
    | 'registerQueue' | 'queueOf' | 'insert' | 'findDedup' | 'putDedup' | 'sweepDedup' | 'lease' | 'ack' | 'ackMany' | 'release'
    | 'deadLetter' | 'nextVisible' | 'stats' | 'deadStats' | 'names' | 'withMessages' | 'peek' | 'purge' | 'redrive'
    | 'batchesInFlight' | 'batchOf' | 'releaseLeasesOf',
    SqliteStatement
  >;
  readonly #nodeId: string;
  #lastDedupSweep = 0;
  /** Acks waiting for the next group transaction; see ack. */
  #acks: { seqs: number[]; done: Promise<void> } | undefined;

  constructor(db: SqliteDatabase, clock: Clock, options: SqliteQueueStoreOptions = {}) {
    this.#clock = clock;
    this.#nodeId = options.nodeId ?? 'local';
    this.#group = groupCommitFor(db);
    migrateSqlite(db, 'queues', QUEUE_MIGRATIONS);
    const prepare = (sql: string) => db.prepare(sql);
    this.#sql = {
      registerQueue: prepare('INSERT OR IGNORE INTO queue_names (name, created_at) VALUES (?, ?)'),
      insert: prepare('INSERT INTO queue_messages (queue, body, priority, enqueued_at, visible_at) VALUES (?, ?, ?, ?, ?)'),
      findDedup: prepare('SELECT message_id FROM queue_dedup WHERE queue = ? AND dedup_id = ? AND expires_at > ?').pluck(),
      putDedup: prepare('INSERT OR REPLACE INTO queue_dedup (queue, dedup_id, message_id, expires_at) VALUES (?, ?, ?, ?)'),
      sweepDedup: prepare('DELETE FROM queue_dedup WHERE expires_at <= ?'),
      // An expired lease (leased = 1, visible again) was a delivery that never finished: it counts as an attempt.
      // Messages are numbered in delivery order so each group of :batchSize shares one lease id (one batch).
      lease: prepare(`
        UPDATE queue_messages AS m
           SET leased = 1, visible_at = :until, attempts = attempts + leased,
               last_error = CASE WHEN leased = 1 THEN '${LEASE_EXPIRED_ERROR}' ELSE last_error END,
               leased_by = :node, leased_for = :consumer,
               lease_id = coalesce(:join, :token || ':' || ((picked.n - 1) / :batchSize))
          FROM (SELECT seq, row_number() OVER (ORDER BY priority DESC, visible_at, seq) AS n
                  FROM queue_messages WHERE queue = :queue AND visible_at <= :now
                 ORDER BY priority DESC, visible_at, seq LIMIT :max) AS picked
         WHERE m.seq = picked.seq
        RETURNING seq, body, priority, enqueued_at, attempts, last_error`).raw(),
      batchesInFlight: prepare(`
        SELECT count(DISTINCT lease_id) FROM queue_messages
         WHERE queue = ? AND leased = 1 AND leased_for = ? AND visible_at > ?`).pluck(),
      batchOf: prepare('SELECT lease_id FROM queue_messages WHERE seq = ? AND leased = 1').pluck(),
      releaseLeasesOf: prepare(`
        UPDATE queue_messages SET leased = 0, visible_at = min(visible_at, :now), attempts = attempts + 1,
               last_error = '${LEASE_OWNER_LOST_ERROR}'
         WHERE leased = 1 AND leased_by = :node
        RETURNING queue`).pluck(),
      ack: prepare('DELETE FROM queue_messages WHERE seq = ?'),
      // A batch in one statement: each statement run costs more in the binding than the delete itself.
      ackMany: prepare('DELETE FROM queue_messages WHERE seq IN (SELECT value FROM json_each(?))'),
      queueOf: prepare('SELECT queue FROM queue_messages WHERE seq = ?').pluck(),
      release: prepare(`
        UPDATE queue_messages SET leased = 0, visible_at = :visibleAt, attempts = attempts + :counted,
               last_error = coalesce(:error, last_error)
         WHERE seq = :seq
        RETURNING queue`).pluck(),
      deadLetter: prepare(`
        UPDATE queue_messages SET queue = :target, dead_from = queue, leased = 0, visible_at = :now,
               attempts = attempts + :counted, last_error = :error
         WHERE seq = :seq`),
      nextVisible: prepare('SELECT min(visible_at) FROM queue_messages WHERE queue = ? AND visible_at > ?').pluck(),
      stats: prepare(`
        SELECT queue, sum(visible_at <= :now) AS depth, sum(visible_at > :now AND leased = 1) AS in_flight,
               sum(visible_at > :now AND leased = 0) AS delayed, min(enqueued_at) AS oldest
          FROM queue_messages GROUP BY queue`),
      deadStats: prepare('SELECT dead_from, count(*) AS n FROM queue_messages WHERE dead_from IS NOT NULL GROUP BY dead_from'),
      names: prepare('SELECT name FROM queue_names').pluck(),
      withMessages: prepare(`
        SELECT name FROM queue_names
         WHERE substr(name, 1, length(:prefix)) = :prefix AND EXISTS (SELECT 1 FROM queue_messages WHERE queue = queue_names.name)`).pluck(),
      peek: prepare('SELECT * FROM queue_messages WHERE queue = ? ORDER BY priority DESC, visible_at, seq LIMIT ?'),
      purge: prepare('DELETE FROM queue_messages WHERE queue = ?'),
      // Messages leased right now (by a consumer of the dead-letter queue) stay where they are.
      redrive: prepare(`
        UPDATE queue_messages SET queue = dead_from, dead_from = NULL, attempts = 0, last_error = NULL,
               leased = 0, visible_at = :now
         WHERE ((queue = :name AND dead_from IS NOT NULL) OR dead_from = :name)
           AND NOT (leased = 1 AND visible_at > :now)
        RETURNING queue`),
    };
  }

  send(queue: string, messages: NewMessage[], options: SendOptions = {}): Promise<SendResult[]> {
    try {
      validateQueueName(queue, options);
      const encoded = encodeMessages(messages);
      if (encoded.length === 0) return Promise.resolve([]);
      return this.#group.run(() => {
        const now = this.#clock.now();
        this.#sweepDedup(now);
        this.#sql.registerQueue.run(queue, now);
        let added = false;
        const results = encoded.map((message): SendResult => {
          if (message.dedupId !== null) {
            const original = this.#sql.findDedup.get(queue, message.dedupId, now) as string | undefined;
            if (original !== undefined) return { id: original, duplicate: true };
          }
          const { lastInsertRowid } = this.#sql.insert.run(queue, message.json, message.priority, now, now + message.delayMs);
          const id = String(lastInsertRowid);
          if (message.dedupId !== null) this.#sql.putDedup.run(queue, message.dedupId, id, now + DEDUP_WINDOW_MS);
          added = true;
          return { id, duplicate: false };
        });
        if (added) this.#notifyAfterCommit(queue);
        return results;
      });
    } catch (err) {
      return Promise.reject(err);
    }
  }

  receive(queue: string, max: number, visibilityTimeoutMs: number, options: ReceiveOptions = {}): Promise<LeasedMessage[]> {
    const problem = receiveProblem(max, options);
    if (problem) return Promise.reject(new RangeError(`receive: ${problem}`));
    return this.#group.run(() => {
      const now = this.#clock.now();
      const consumer = options.consumer ?? '';
      const batchSize = options.batchSize ?? max;
      const join = options.joinBatchOf === undefined ? null : (this.#sql.batchOf.get(toSeq(options.joinBatchOf)) as string | undefined) ?? null;
      let limit = max;
      if (options.maxInFlight !== undefined && join === null) {
        // The group commit runs one write at a time on one connection: the count cannot go stale before the lease.
        const inFlight = this.#sql.batchesInFlight.get(queue, consumer, now) as number;
        limit = Math.min(max, Math.max(0, options.maxInFlight - inFlight) * batchSize);
        if (limit === 0) return [];
      }
      // Arrays, not objects: a lease is on every message's path, and making row objects costs more than the UPDATE.
      const rows = this.#sql.lease.all({
        queue, now, until: now + visibilityTimeoutMs, max: limit, node: this.#nodeId, consumer, join, token: leaseToken(), batchSize,
      }) as LeasedRow[];
      // RETURNING gives rows in no promised order.
      rows.sort((a, b) => b[2] - a[2] || a[0] - b[0]);
      return rows.map(([seq, body, priority, enqueuedAt, attempts, lastError]): LeasedMessage => ({
        id: String(seq), queue, body: JSON.parse(body), attempts, lastError, priority, enqueuedAt,
      }));
    }, NOT_DURABLE);
  }

  /**
   * Acks asked for before the next group transaction share one DELETE in it:
   * batch-1 consumers finishing together would otherwise each cost a
   * savepoint and a statement. They commit (or fail) together, as they would
   * in one transaction anyway.
   */
  ack(ids: string[]): Promise<void> {
    if (ids.length === 0) return Promise.resolve();
    let acks = this.#acks;
    if (!acks) {
      const seqs: number[] = [];
      // From the moment the DELETE runs, acks go to the next transaction; and if it never ran
      // (BEGIN failed: the file was busy or closed), once this group has failed.
      const close = () => {
        if (this.#acks?.seqs === seqs) this.#acks = undefined;
      };
      const done = this.#group.run(() => {
        close();
        if (seqs.length === 1) this.#sql.ack.run(seqs[0]!);
        else this.#sql.ackMany.run(JSON.stringify(seqs));
      }, NOT_DURABLE);
      done.then(close, close);
      acks = this.#acks = { seqs, done };
    }
    for (const id of ids) acks.seqs.push(toSeq(id));
    return acks.done;
  }

  release(id: string, options: ReleaseOptions): Promise<void> {
    return this.#group.run(() => {
      const delayMs = Math.max(0, options.delayMs ?? 0);
      const queue = this.#sql.release.get({
        seq: toSeq(id), visibleAt: this.#clock.now() + delayMs, counted: options.countAttempt ? 1 : 0, error: options.error ?? null,
      }) as string | undefined;
      if (queue !== undefined && delayMs === 0) this.#notifyAfterCommit(queue);
    }, NOT_DURABLE);
  }

  deadLetter(id: string, error: string, options: DeadLetterOptions = {}): Promise<void> {
    return this.#group.run(() => {
      const seq = toSeq(id);
      const source = this.#sql.queueOf.get(seq) as string | undefined;
      if (source === undefined) return;
      const target = options.queue ?? deadLetterQueueName(source);
      validateExistingQueueName(target);
      const now = this.#clock.now();
      this.#sql.registerQueue.run(target, now);
      this.#sql.deadLetter.run({ seq, target, now, counted: options.countAttempt === false ? 0 : 1, error });
      this.#notifyAfterCommit(target);
    }, NOT_DURABLE);
  }

  async nextVisibleAt(queue: string): Promise<number | null> {
    return (this.#sql.nextVisible.get(queue, this.#clock.now()) as number | null) ?? null;
  }

  async queuesWithMessages(prefix: string): Promise<string[]> {
    return this.#sql.withMessages.all({ prefix }) as string[];
  }

  /**
   * Counting every message blocks the event loop for as long as it takes
   * (hundreds of ms at a million messages); the console and the metrics
   * sampler ask every few seconds. Expensive answers are reused for a while.
   */
  async listQueues(): Promise<QueueStats[]> {
    return (await this.#stats.read()).map((s) => ({ ...s }));
  }

  async #countQueues(): Promise<QueueStats[]> {
    const now = this.#clock.now();
    const counts = this.#sql.stats.all({ now }) as { queue: string; depth: number; in_flight: number; delayed: number; oldest: number }[];
    const dead = this.#sql.deadStats.all() as { dead_from: string; n: number }[];
    return queueStatsFrom(
      now,
      this.#sql.names.all() as string[],
      counts.map((row) => ({ queue: row.queue, depth: row.depth, inFlight: row.in_flight, delayed: row.delayed, oldest: row.oldest })),
      dead.map((row) => ({ from: row.dead_from, count: row.n })),
    );
  }

  async peek(queue: string, limit: number): Promise<PeekedMessage[]> {
    const now = this.#clock.now();
    return (this.#sql.peek.all(queue, limit) as MessageRow[]).map((row) => ({
      ...toLeased(row),
      state: stateOf(row, now),
      visibleAt: row.visible_at,
      deadLetteredFrom: row.dead_from,
    }));
  }

  purge(queue: string): Promise<number> {
    return this.#afterChange(this.#group.run(() => this.#sql.purge.run(queue).changes));
  }

  redrive(name: string): Promise<number> {
    return this.#afterChange(this.#group.run(() => {
      const moved = this.#sql.redrive.all({ name, now: this.#clock.now() }) as { queue: string }[];
      for (const queue of new Set(moved.map((row) => row.queue))) this.#notifyAfterCommit(queue);
      return moved.length;
    }));
  }

  /** Statistics counted before an operator's purge or redrive must not be shown after it. */
  #afterChange<T>(change: Promise<T>): Promise<T> {
    this.#stats.invalidate();
    return change.finally(() => this.#stats.invalidate());
  }

  releaseLeasesOf(nodeId: string): Promise<number> {
    return this.#group.run(() => {
      const queues = this.#sql.releaseLeasesOf.all({ node: nodeId, now: this.#clock.now() }) as string[];
      for (const queue of new Set(queues)) this.#notifyAfterCommit(queue);
      return queues.length;
    }, NOT_DURABLE);
  }

  onSend(queue: string, listener: () => void): () => void {
    return this.#listeners.add(queue, listener);
  }

  /** Writes what is pending. The composer calls this before it closes the connection. */
  /** Writes what is pending; resolves once its durable writes are on the disk. */
  async close(): Promise<void> {
    await this.#group.close();
  }

  #notifyAfterCommit(queue: string): void {
    if (!this.#listeners.has(queue)) return;
    this.#group.afterCommit(() => this.#listeners.wake(queue));
  }

  #sweepDedup(now: number): void {
    if (now - this.#lastDedupSweep < DEDUP_SWEEP_INTERVAL_MS) return;
    this.#lastDedupSweep = now;
    this.#sql.sweepDedup.run(now);
  }
}

function toSeq(id: string): number {
  // Ids that were never ours match no row.
  return /^\d{1,15}$/.test(id) ? Number(id) : -1;
}

function toLeased(row: MessageRow): LeasedMessage {
  return {
    id: String(row.seq),
    queue: row.queue,
    body: JSON.parse(row.body),
    attempts: row.attempts,
    lastError: row.last_error,
    priority: row.priority,
    enqueuedAt: row.enqueued_at,
  };
}

function stateOf(row: MessageRow, now: number): MessageState {
  if (row.visible_at <= now) return 'ready';
  return row.leased ? 'in-flight' : 'delayed';
}
