import { test } from 'node:test';
import { PgTimerStore } from '../../../src/store/postgres/pg-timer-store.js';
import { PgDatabase } from '../../../src/store/postgres/pg-database.js';
import { runTimerStoreContract, TIMER_CONTRACT_START } from '../timer-store.contract.js';
import { postgresUnavailable } from '../../helpers/postgres-server.js';
import { freshPostgresStore } from './helpers.js';

const skip = postgresUnavailable();

if (skip) {
  test('PostgreSQL timer store', { skip }, () => {});
} else {
  runTimerStoreContract('postgres', async () => {
    const pools: PgDatabase[] = [];
    let url = '';
    const harness = await freshPostgresStore((db, clock, databaseUrl) => {
      url = databaseUrl;
      return new PgTimerStore(db, clock);
    }, async () => {
      for (const pool of pools) await pool.close();
    })();
    const clock = harness.clock;
    await clock.advanceTo(TIMER_CONTRACT_START);
    return {
      ...harness,
      // Another node: its own pool on the same database.
      anotherNode: async () => {
        const pool = new PgDatabase(url, { poolSize: 2 });
        pools.push(pool);
        return new PgTimerStore(pool, clock);
      },
    };
  });
}

