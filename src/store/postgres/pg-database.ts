import pg from 'pg';
import { UNWATCHED_STORAGE, type StorageFaults } from '../storage-faults.js';

/** What a store area needs to run SQL: the pool itself or one transaction's client. */
export interface PgQueryable {
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(sql: string, params?: readonly unknown[]): Promise<R[]>;
}

/** SQLSTATEs after which the whole transaction is worth running again. */
const RETRYABLE = new Set(['40001', '40P01']);
const MAX_TRANSACTION_ATTEMPTS = 5;

export interface PgDatabaseOptions {
  /** Connections in the pool; default 10. */
  poolSize?: number;
  /** Shown in pg_stat_activity. */
  applicationName?: string;
  /** Names storage faults (an unreachable database: 503 with Retry-After) and hears about them. */
  faults?: StorageFaults;
}

/**
 * One PostgreSQL database behind a connection pool, for every store area of
 * a node. Errors that mean the database cannot be reached become the store's
 * storage fault (503 NIMBUS_ERR_STORE_UNAVAILABLE); the pool reconnects by
 * itself once the server is back, so nothing here needs a restart.
 */
export class PgDatabase implements PgQueryable {
  readonly #pool: pg.Pool;
  readonly #faults: StorageFaults;
  readonly #url: string;
  readonly #applicationName: string;

  constructor(url: string, options: PgDatabaseOptions = {}) {
    this.#url = url;
    this.#applicationName = options.applicationName ?? 'nimbus';
    this.#faults = options.faults ?? UNWATCHED_STORAGE;
    this.#pool = new pg.Pool({
      connectionString: url,
      max: options.poolSize ?? 10,
      application_name: this.#applicationName,
      // A request fails fast with 503 instead of waiting for a database that is gone.
      connectionTimeoutMillis: 5_000,
      idleTimeoutMillis: 30_000,
    });
    // An idle client losing its connection (server restart) must not crash the node; the pool drops it.
    this.#pool.on('error', () => {});
  }

  /** The connection URL, for a dedicated listener connection. */
  get url(): string {
    return this.#url;
  }

  get applicationName(): string {
    return this.#applicationName;
  }

  async query<R extends pg.QueryResultRow = pg.QueryResultRow>(sql: string, params: readonly unknown[] = []): Promise<R[]> {
    try {
      const result = await this.#pool.query<R>(sql, params as unknown[]);
      this.#faults.succeeded('state');
      return result.rows;
    } catch (err) {
      throw this.#faults.fault('state', err);
    }
  }

  /**
   * Runs `fn` inside BEGIN … COMMIT on one connection. A serialization failure
   * or deadlock runs the whole function again (it must not have effects
   * outside the transaction); any other error rolls back and is thrown.
   */
  async transaction<T>(fn: (tx: PgQueryable) => Promise<T>, options: { isolation?: 'serializable' | 'repeatable read' } = {}): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      let client: pg.PoolClient;
      try {
        client = await this.#pool.connect();
      } catch (err) {
        throw this.#faults.fault('state', err);
      }
      let broken = false;
      // The pool listens for errors only on idle clients: a connection lost while this one is checked
      // out (between two statements) would otherwise be an unhandled 'error' and end the process.
      const onLost = () => {
        broken = true;
      };
      client.on('error', onLost);
      try {
        await client.query(options.isolation ? `BEGIN ISOLATION LEVEL ${options.isolation.toUpperCase()}` : 'BEGIN');
        const tx: PgQueryable = {
          query: async <R extends pg.QueryResultRow>(sql: string, params: readonly unknown[] = []) => (await client.query<R>(sql, params as unknown[])).rows,
        };
        const result = await fn(tx);
        await client.query('COMMIT');
        this.#faults.succeeded('state');
        return result;
      } catch (err) {
        await client.query('ROLLBACK').catch(() => {
          broken = true;
        });
        const code = (err as { code?: unknown }).code;
        if (typeof code === 'string' && RETRYABLE.has(code) && attempt < MAX_TRANSACTION_ATTEMPTS) continue;
        throw this.#faults.fault('state', err);
      } finally {
        client.off('error', onLost);
        client.release(broken);
      }
    }
  }

  async close(): Promise<void> {
    await this.#pool.end();
  }
}
