import type { SqliteDatabase, SqliteStatement } from './sqlite-database.js';

const SYNCHRONOUS_NORMAL = 1;

const perConnection = new WeakMap<SqliteDatabase, UnsyncedCommits>();

/**
 * Commits that do not wait for the disk inside SQLite: batches that waited in
 * memory before their write anyway (metering records, function log lines), a
 * queue's leases, acks and retries, and the queue's group commits, whose sends
 * are then taken to the disk off the event loop (WalSync) before they are
 * acknowledged. An fsync inside each COMMIT would only hold the event loop.
 *
 * In WAL mode with `synchronous = NORMAL` a commit survives the node's process
 * being killed; only a power cut or an OS crash may lose it, until the next
 * fsync (a WalSync's, any durable write's, or a checkpoint's) takes it to the
 * disk. Other writes that must survive those too (a deploy) keep the
 * connection's own level, which is restored after each write.
 *
 * SQLite applies `PRAGMA synchronous = N` when the statement is compiled, and
 * refuses it inside a transaction: each level's statement is prepared the
 * first time it is wanted, never ahead (preparing it sets the level; so does
 * the write guard's `EXPLAIN` of it, at the same moment), and `run` is called
 * outside any transaction. A prepared one can be run again because SQLite
 * compiles such a pragma to expire itself after each run, so every run
 * compiles, and applies, it afresh.
 *
 * One per connection (`UnsyncedCommits.for`): the stores sharing a connection
 * share its statements.
 */
export class UnsyncedCommits {
  readonly #db: SqliteDatabase;
  readonly #pragmas = new Map<string, SqliteStatement>();

  private constructor(db: SqliteDatabase) {
    this.#db = db;
  }

  static for(db: SqliteDatabase): UnsyncedCommits {
    let unsynced = perConnection.get(db);
    if (!unsynced) perConnection.set(db, (unsynced = new UnsyncedCommits(db)));
    return unsynced;
  }

  run<T>(write: () => T): T {
    const level = this.#pragma('').get() as number;
    if (level <= SYNCHRONOUS_NORMAL) return write();
    this.#pragma(` = ${SYNCHRONOUS_NORMAL}`).run();
    try {
      return write();
    } finally {
      this.#pragma(` = ${level}`).run();
    }
  }

  /** `PRAGMA synchronous<suffix>`, prepared the first time it is wanted. */
  #pragma(suffix: string): SqliteStatement {
    let statement = this.#pragmas.get(suffix);
    if (!statement) {
      statement = this.#db.prepare(`PRAGMA synchronous${suffix}`).pluck();
      this.#pragmas.set(suffix, statement);
    }
    return statement;
  }
}
