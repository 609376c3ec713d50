import { test } from 'node:test';
import { PgLogStore } from '../../../src/store/postgres/pg-log-store.js';
import { PgDatabase } from '../../../src/store/postgres/pg-database.js';
import { postgresUnavailable } from '../../helpers/postgres-server.js';
import { runLogStoreContract } from '../log-store.contract.js';
import { freshPostgresStore } from './helpers.js';

const unavailable = postgresUnavailable();
if (unavailable) {
  test('PgLogStore contract', { skip: unavailable }, () => {});
} else {
  runLogStoreContract('PgLogStore', async (clock, limits) => {
    const fresh = await freshPostgresStore(
      (db, _clock, url) => ({ store: new PgLogStore(db, clock, limits), otherNode: new PgDatabase(url, { poolSize: 4 }) }),
      (made) => made.otherNode.close(),
    )();
    // Another node: its own pool on the same database.
    return {
      store: fresh.store.store, second: new PgLogStore(fresh.store.otherNode, clock, limits), close: fresh.close,
      overstateTotals: async (app, functionName, lines) => {
        await fresh.store.otherNode.query('UPDATE logs_function_totals SET lines = lines + $1 WHERE app = $2 AND function_name = $3', [lines, app, functionName]);
      },
    };
  });
}
