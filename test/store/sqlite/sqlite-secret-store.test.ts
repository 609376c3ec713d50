import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openDatabase } from '../../../src/store/sqlite/sqlite-database.js';
import { SqliteSecretStore } from '../../../src/store/sqlite/sqlite-secret-store.js';
import { ManualClock, tempDatabase } from '../../auth/fixtures.js';

test('the SQLite secret store keeps sealed bytes per app and name, and forgets an app on request', async (t) => {
  const { db, file, cleanup } = tempDatabase();
  t.after(cleanup);
  const clock = new ManualClock();
  const store = new SqliteSecretStore(db, clock);
  await store.put('shop', 'B', Uint8Array.from([1, 2, 3]));
  await store.put('shop', 'A', Uint8Array.from([4]));
  await store.put('blog', 'A', Uint8Array.from([5]));

  assert.deepEqual((await store.list('shop')).map((s) => s.name), ['A', 'B']);
  assert.deepEqual(
    (await store.listSealed('shop')).map((s) => [s.name, [...s.sealed]]),
    [['A', [4]], ['B', [1, 2, 3]]],
  );
  assert.equal(await store.removeApp('shop'), 2);
  assert.deepEqual(await store.list('shop'), []);

  // Tables are created idempotently, so a reopened file keeps its rows.
  db.close();
  const reopened = openDatabase(file);
  t.after(() => reopened.close());
  assert.deepEqual((await new SqliteSecretStore(reopened, clock).list('blog')).map((s) => s.name), ['A']);
});
