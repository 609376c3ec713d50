import { test } from 'node:test';
import { PgMeteringStore } from '../../../src/store/postgres/pg-metering-store.js';
import { PgDatabase } from '../../../src/store/postgres/pg-database.js';
import { postgresUnavailable } from '../../helpers/postgres-server.js';
import { runMeteringStoreContract } from '../metering-store.contract.js';
import { freshPostgresStore } from './helpers.js';

const unavailable = postgresUnavailable();
if (unavailable) {
  test('PgMeteringStore contract', { skip: unavailable }, () => {});
} else {
  runMeteringStoreContract('PgMeteringStore', async (clock) => {
    // The contract's clock, not the helper's: its cases start at a fixed time.
    const fresh = await freshPostgresStore(
      (db, _clock, url) => ({ store: new PgMeteringStore(db, clock), otherNode: new PgDatabase(url, { poolSize: 4 }) }),
      (made) => made.otherNode.close(),
    )();
    return {
      store: fresh.store.store,
      // Another node: its own pool on the same database.
      second: new PgMeteringStore(fresh.store.otherNode, clock),
      close: fresh.close,
    };
  });
}
