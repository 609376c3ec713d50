import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { ASYNC_RESULT_RETENTION_MS } from '../../../src/store/async-result-store.js';
import { SqliteAsyncResultStore } from '../../../src/store/sqlite/sqlite-async-result-store.js';
import { FakeClock } from '../../triggers/queue/fake-clock.js';
import { openDatabase, tempDir } from './helpers.js';

async function withStore(fn: (store: SqliteAsyncResultStore, clock: FakeClock, reopen: () => SqliteAsyncResultStore) => Promise<void>, retentionMs?: number) {
  const tmp = tempDir();
  const file = join(tmp.dir, 'state.db');
  const clock = new FakeClock();
  const dbs = [openDatabase(file)];
  try {
    await fn(new SqliteAsyncResultStore(dbs[0]!, clock, { retentionMs }), clock, () => {
      dbs.push(openDatabase(file));
      return new SqliteAsyncResultStore(dbs.at(-1)!, clock, { retentionMs });
    });
  } finally {
    for (const db of dbs) db.close();
    tmp.remove();
  }
}

const key = { invocationId: 'inv-1', app: 'shop', functionName: 'checkout' };

test('an async invocation is recorded as queued, then running, then with its response', async () => {
  await withStore(async (store, clock, reopen) => {
    const t0 = clock.now();
    await store.create(key);
    assert.deepEqual(await store.get('inv-1'), {
      invocationId: 'inv-1', app: 'shop', functionName: 'checkout', state: 'queued', attempts: 0,
      status: null, headers: null, bodyBase64: null, error: null,
      createdAt: t0, updatedAt: t0, startedAt: null, finishedAt: null, expiresAt: t0 + ASYNC_RESULT_RETENTION_MS,
    });
    await clock.advance(100);
    await store.update(key, { state: 'running', attempts: 1 });
    await clock.advance(100);
    await store.update(key, { state: 'queued', status: 503, error: 'the function answered with status 503' });
    await clock.advance(100);
    await store.update(key, { state: 'running', attempts: 2 });
    await clock.advance(100);
    await store.update(key, { state: 'succeeded', status: 200, headers: [['content-type', 'text/plain']], bodyBase64: 'aGk=', error: null });
    const record = await reopen().get('inv-1');
    assert.deepEqual(record, {
      invocationId: 'inv-1', app: 'shop', functionName: 'checkout', state: 'succeeded', attempts: 2,
      status: 200, headers: [['content-type', 'text/plain']], bodyBase64: 'aGk=', error: null,
      createdAt: t0, updatedAt: t0 + 400, startedAt: t0 + 100, finishedAt: t0 + 400, expiresAt: t0 + 400 + ASYNC_RESULT_RETENTION_MS,
    });
  });
});

test('an update for a record that is missing creates it', async () => {
  await withStore(async (store) => {
    await store.update(key, { state: 'running', attempts: 1 });
    const record = await store.get('inv-1');
    assert.equal(record?.state, 'running');
    assert.equal(record?.app, 'shop');
    assert.equal(await store.get('never'), undefined);
  });
});

test('records are kept for the retention time after their last change, then purged', async () => {
  await withStore(async (store, clock) => {
    await store.create(key);
    await store.create({ ...key, invocationId: 'inv-2' });
    await clock.advance(ASYNC_RESULT_RETENTION_MS - 1);
    await store.update({ ...key, invocationId: 'inv-2' }, { state: 'failed', error: 'boom' });
    assert.equal((await store.get('inv-1'))?.state, 'queued');
    await clock.advance(1);
    assert.equal(await store.get('inv-1'), undefined, 'expired records are never returned');
    assert.equal((await store.get('inv-2'))?.state, 'failed');
    assert.equal(await store.purgeExpired(), 1);
    await clock.advance(ASYNC_RESULT_RETENTION_MS);
    // Writes sweep expired records on their own.
    await store.create({ ...key, invocationId: 'inv-3' });
    assert.equal(await store.purgeExpired(), 0);
    assert.equal(await store.get('inv-2'), undefined);
  });
});

test('the retention time can be configured', async () => {
  await withStore(async (store, clock) => {
    await store.create(key);
    await clock.advance(999);
    assert.ok(await store.get('inv-1'));
    await clock.advance(1);
    assert.equal(await store.get('inv-1'), undefined);
  }, 1_000);
});
