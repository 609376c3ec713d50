import type { SqliteDatabase, SqliteStatement } from './sqlite-database.js';

const SYNCHRONOUS_NORMAL = 1;

/**
 * Commits that do not wait for the disk, for writes that acknowledge nothing
 * to anyone outside when they commit: batches that waited in memory before
 * their write anyway (metering records, function log lines), and a queue's
 * leases, acks and retries. An fsync for each would only hold the event loop.
 *
 * In WAL mode with `synchronous = NORMAL` a commit survives the node's process
 * being killed; only a power cut or an OS crash may lose it, until the next
 * fsync (any durable write's, or a checkpoint's) takes it to the disk. What
 * must survive those too (a sent message, a deploy) keeps the connection's
 * own level, which is restored after each write.
 *
 * SQLite applies `PRAGMA synchronous = N` when the statement is compiled,
 * and refuses it inside a transaction: each level's statement is prepared the
 * first time it is wanted, never ahead, and `run` is called outside any
 * transaction.
 */
export class UnsyncedCommits {
  readonly #db: SqliteDatabase;
  readonly #pragmas = new Map<string, SqliteStatement>();

  constructor(db: SqliteDatabase) {
    this.#db = db;
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

  /** `PRAGMA synchronous<suffix>`, prepared once: this runs around many writes. */
  #pragma(suffix: string): SqliteStatement {
    let statement = this.#pragmas.get(suffix);
    if (!statement) {
      statement = this.#db.prepare(`PRAGMA synchronous${suffix}`).pluck();
      this.#pragmas.set(suffix, statement);
    }
    return statement;
  }
}
