import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { SqliteAsyncResultStore } from '../../../src/store/sqlite/sqlite-async-result-store.js';
import { runAsyncResultStoreContract } from '../async-result-store.contract.js';
import { FakeClock } from '../../helpers/fake-clock.js';
import { freshSqliteStore, openDatabase, tempDir } from './helpers.js';

runAsyncResultStoreContract('sqlite', (options) => freshSqliteStore((db, clock) => new SqliteAsyncResultStore(db, clock, options))());

test('a record written through one connection is read through another opened on the file', async () => {
  const tmp = tempDir();
  const file = join(tmp.dir, 'state.db');
  const clock = new FakeClock();
  const writer = openDatabase(file);
  const reader = openDatabase(file);
  try {
    const key = { invocationId: 'inv-1', app: 'shop', functionName: 'checkout' };
    const store = new SqliteAsyncResultStore(writer, clock);
    await store.create(key);
    await store.update(key, { state: 'succeeded', status: 200, headers: [['content-type', 'text/plain']], bodyBase64: 'aGk=' });
    const record = await new SqliteAsyncResultStore(reader, clock).get('inv-1');
    assert.deepEqual(
      [record?.state, record?.status, record?.headers, record?.bodyBase64],
      ['succeeded', 200, [['content-type', 'text/plain']], 'aGk='],
    );
  } finally {
    writer.close();
    reader.close();
    tmp.remove();
  }
});
