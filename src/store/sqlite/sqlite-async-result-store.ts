import type { SqliteDatabase, SqliteStatement } from './sqlite-database.js';
import type { Clock } from '../../shared/clock.js';
import {
  ASYNC_RESULT_RETENTION_MS,
  type AsyncInvocationKey, type AsyncInvocationRow, asyncInvocationFromRow, type AsyncResultStore, type AsyncResultUpdate, type InvocationRecord,
  freshAsyncInvocationRow, updatedAsyncInvocationRow,
} from '../async-result-store.js';
import { migrateSqlite, type SqliteMigration } from './sqlite-migrations.js';
import { groupCommitFor, NOT_DURABLE, type SqliteGroupCommit } from './sqlite-queue-store.js';

/** Expired records are swept by writes at most this often. */
const SWEEP_INTERVAL_MS = 60_000;

/** Schema steps of this area; see migrateSqlite. */
export const ASYNC_RESULT_MIGRATIONS: readonly SqliteMigration[] = [{ version: 1, sql: `
CREATE TABLE IF NOT EXISTS async_invocations (
  id TEXT PRIMARY KEY,
  app TEXT NOT NULL,
  function_name TEXT NOT NULL,
  state TEXT NOT NULL,
  attempts INTEGER NOT NULL,
  status INTEGER,
  headers TEXT,
  body_base64 TEXT,
  error TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  started_at INTEGER,
  finished_at INTEGER,
  expires_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS async_invocations_expiry ON async_invocations (expires_at);
` }];

type Row = AsyncInvocationRow;

export interface SqliteAsyncResultStoreOptions {
  /** Default ASYNC_RESULT_RETENTION_MS. */
  retentionMs?: number;
}

/** Async invocation records in SQLite; writes share the queue store's group commit. */
export class SqliteAsyncResultStore implements AsyncResultStore {
  readonly #clock: Clock;
  readonly #retentionMs: number;
  readonly #group: SqliteGroupCommit;
  readonly #sql: Record<'get' | 'put' | 'remove' | 'sweep', SqliteStatement>;
  #lastSweep = 0;

  constructor(db: SqliteDatabase, clock: Clock, options: SqliteAsyncResultStoreOptions = {}) {
    this.#clock = clock;
    this.#retentionMs = options.retentionMs ?? ASYNC_RESULT_RETENTION_MS;
    this.#group = groupCommitFor(db);
    migrateSqlite(db, 'async-results', ASYNC_RESULT_MIGRATIONS);
    this.#sql = {
      get: db.prepare('SELECT * FROM async_invocations WHERE id = ? AND expires_at > ?'),
      put: db.prepare(`
        INSERT OR REPLACE INTO async_invocations
          (id, app, function_name, state, attempts, status, headers, body_base64, error, created_at, updated_at, started_at, finished_at, expires_at)
        VALUES (:id, :app, :function_name, :state, :attempts, :status, :headers, :body_base64, :error, :created_at, :updated_at, :started_at, :finished_at, :expires_at)`),
      remove: db.prepare('DELETE FROM async_invocations WHERE id = ?'),
      sweep: db.prepare('DELETE FROM async_invocations WHERE expires_at <= ?'),
    };
  }

  create(key: AsyncInvocationKey): Promise<void> {
    return this.#group.run(() => {
      const now = this.#clock.now();
      this.#sweep(now);
      this.#sql.put.run(freshAsyncInvocationRow(key, now, this.#retentionMs));
    });
  }

  update(key: AsyncInvocationKey, update: AsyncResultUpdate): Promise<void> {
    return this.#group.run(() => {
      const now = this.#clock.now();
      this.#sweep(now);
      const row = (this.#sql.get.get(key.invocationId, now) as Row | undefined) ?? freshAsyncInvocationRow(key, now, this.#retentionMs);
      this.#sql.put.run(updatedAsyncInvocationRow(row, update, now, this.#retentionMs));
    }, NOT_DURABLE);
  }

  async get(invocationId: string): Promise<InvocationRecord | undefined> {
    const row = this.#sql.get.get(invocationId, this.#clock.now()) as Row | undefined;
    return row && asyncInvocationFromRow(row);
  }

  remove(invocationId: string): Promise<void> {
    return this.#group.run(() => {
      this.#sql.remove.run(invocationId);
    });
  }

  purgeExpired(): Promise<number> {
    return this.#group.run(() => this.#sql.sweep.run(this.#clock.now()).changes);
  }

  #sweep(now: number): void {
    if (now - this.#lastSweep < SWEEP_INTERVAL_MS) return;
    this.#lastSweep = now;
    this.#sql.sweep.run(now);
  }
}

