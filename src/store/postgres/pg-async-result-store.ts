import type { Clock } from '../../shared/clock.js';
import {
  ASYNC_RESULT_RETENTION_MS,
  type AsyncInvocationKey, type AsyncInvocationRow, asyncInvocationFromRow, type AsyncResultStore, type AsyncResultUpdate, type InvocationRecord,
  freshAsyncInvocationRow, updatedAsyncInvocationRow,
} from '../async-result-store.js';
import type { PgDatabase, PgQueryable } from './pg-database.js';

/** Expired records are swept by this node's writes at most this often. */
const SWEEP_INTERVAL_MS = 60_000;

const COLUMNS = 'id, app, function_name, state, attempts, status, headers, body_base64, error, created_at, updated_at, started_at, finished_at, expires_at';

type Row = AsyncInvocationRow;

/** PostgreSQL hands bigint back as text. */
type StoredRow = { [K in keyof Row]: Row[K] extends number ? string | number : Row[K] extends number | null ? string | number | null : Row[K] };

export interface PgAsyncResultStoreOptions {
  /** Default ASYNC_RESULT_RETENTION_MS. */
  retentionMs?: number;
}

/** Async invocation records in PostgreSQL, readable from any node. */
export class PgAsyncResultStore implements AsyncResultStore {
  readonly #db: PgDatabase;
  readonly #clock: Clock;
  readonly #retentionMs: number;
  #lastSweep = 0;

  constructor(db: PgDatabase, clock: Clock, options: PgAsyncResultStoreOptions = {}) {
    this.#db = db;
    this.#clock = clock;
    this.#retentionMs = options.retentionMs ?? ASYNC_RESULT_RETENTION_MS;
  }

  async create(key: AsyncInvocationKey): Promise<void> {
    const now = this.#clock.now();
    await this.#sweep(now);
    await this.#put(this.#db, freshAsyncInvocationRow(key, now, this.#retentionMs));
  }

  async update(key: AsyncInvocationKey, update: AsyncResultUpdate): Promise<void> {
    const now = this.#clock.now();
    await this.#sweep(now);
    await this.#db.transaction(async (tx) => {
      const [stored] = await tx.query<StoredRow>(`SELECT ${COLUMNS} FROM async_invocations WHERE id = $1 AND expires_at > $2 FOR UPDATE`, [key.invocationId, now]);
      const row = stored ? toRow(stored) : freshAsyncInvocationRow(key, now, this.#retentionMs);
      await this.#put(tx, updatedAsyncInvocationRow(row, update, now, this.#retentionMs));
    });
  }

  async get(invocationId: string): Promise<InvocationRecord | undefined> {
    const [row] = await this.#db.query<StoredRow>(`SELECT ${COLUMNS} FROM async_invocations WHERE id = $1 AND expires_at > $2`, [invocationId, this.#clock.now()]);
    return row && asyncInvocationFromRow(toRow(row));
  }

  async remove(invocationId: string): Promise<void> {
    await this.#db.query('DELETE FROM async_invocations WHERE id = $1', [invocationId]);
  }

  async purgeExpired(): Promise<number> {
    return (await this.#db.query('DELETE FROM async_invocations WHERE expires_at <= $1 RETURNING id', [this.#clock.now()])).length;
  }

  async #put(db: PgQueryable, row: Row): Promise<void> {
    await db.query(
      `INSERT INTO async_invocations (${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
       ON CONFLICT (id) DO UPDATE SET app = excluded.app, function_name = excluded.function_name, state = excluded.state,
         attempts = excluded.attempts, status = excluded.status, headers = excluded.headers, body_base64 = excluded.body_base64,
         error = excluded.error, created_at = excluded.created_at, updated_at = excluded.updated_at, started_at = excluded.started_at,
         finished_at = excluded.finished_at, expires_at = excluded.expires_at`,
      [row.id, row.app, row.function_name, row.state, row.attempts, row.status, row.headers, row.body_base64, row.error,
        row.created_at, row.updated_at, row.started_at, row.finished_at, row.expires_at],
    );
  }

  async #sweep(now: number): Promise<void> {
    if (now - this.#lastSweep < SWEEP_INTERVAL_MS) return;
    this.#lastSweep = now;
    await this.#db.query('DELETE FROM async_invocations WHERE expires_at <= $1', [now]);
  }
}

function toRow(row: StoredRow): Row {
  const ms = (value: string | number | null): number | null => (value === null ? null : Number(value));
  return {
    ...row,
    created_at: Number(row.created_at), updated_at: Number(row.updated_at), expires_at: Number(row.expires_at),
    started_at: ms(row.started_at), finished_at: ms(row.finished_at),
  } as Row;
}

