import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { SqliteBudgetStore } from '../../../src/store/sqlite/sqlite-budget-store.js';
import { runBudgetStoreContract } from '../budget-store.contract.js';
import { FakeClock } from '../../helpers/fake-clock.js';
import { freshSqliteStore, openDatabase, tempDir } from './helpers.js';

runBudgetStoreContract('sqlite', freshSqliteStore((db, clock) => new SqliteBudgetStore(db, clock)));

test('a reopened file keeps its budgets, and its schema step is recorded once', async () => {
  const tmp = tempDir();
  const file = join(tmp.dir, 'state.db');
  const clock = new FakeClock();
  let db = openDatabase(file);
  try {
    await new SqliteBudgetStore(db, clock).put({ name: 'orders-db', concurrency: 20, rate: { perSecond: 200, burst: 200 }, adaptive: null });
    db.close();
    db = openDatabase(file);
    assert.deepEqual((await new SqliteBudgetStore(db, clock).list()).map((b) => [b.name, b.concurrency, b.rate?.perSecond]), [['orders-db', 20, 200]]);
    assert.deepEqual(db.prepare("SELECT version FROM nimbus_schema_versions WHERE area = 'budgets'").all().map((r) => ({ ...(r as object) })), [{ version: 1 }]);
  } finally {
    db.close();
    tmp.remove();
  }
});
