import { PgDatabase } from '../../../src/store/postgres/pg-database.js';
import { migratePostgres } from '../../../src/store/postgres/migrate.js';
import { POSTGRES_MIGRATIONS } from '../../../src/store/postgres/migrations/index.js';
import { FakeClock } from '../../helpers/fake-clock.js';
import { freshPostgresDatabase } from '../../helpers/postgres-server.js';

/** A new database on the test run's PostgreSQL server with the whole schema, and a pool on it. */
export async function freshMigratedDatabase(): Promise<{ db: PgDatabase; url: string; close(): Promise<void> }> {
  const database = await freshPostgresDatabase();
  await migratePostgres(database.url, POSTGRES_MIGRATIONS);
  const db = new PgDatabase(database.url, { poolSize: 4 });
  return {
    db,
    url: database.url,
    async close() {
      await db.close();
      await database.drop();
    },
  };
}

/**
 * A contract harness over a fresh PostgreSQL database: the store `make`
 * builds on a pool with the one fake clock, dropped again on close.
 * `closeStore` runs first (flush group commits, stop listeners).
 */
export function freshPostgresStore<S>(
  make: (db: PgDatabase, clock: FakeClock, url: string) => S | Promise<S>,
  closeStore?: (store: S) => Promise<void>,
): () => Promise<{ store: S; clock: FakeClock; close(): Promise<void> }> {
  return async () => {
    const database = await freshMigratedDatabase();
    const clock = new FakeClock();
    const store = await make(database.db, clock, database.url);
    return {
      store,
      clock,
      async close() {
        await closeStore?.(store);
        await database.close();
      },
    };
  };
}
