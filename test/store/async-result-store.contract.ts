/**
 * What every AsyncResultStore implementation promises. Each implementation's
 * test file calls `runAsyncResultStoreContract` with a factory for fresh,
 * empty stores that keep records for `retentionMs` (the default when omitted).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ASYNC_RESULT_RETENTION_MS, type AsyncResultStore } from '../../src/store/async-result-store.js';
import { FakeClock } from '../helpers/fake-clock.js';

export interface AsyncResultStoreHarness {
  store: AsyncResultStore;
  clock: FakeClock;
  close(): Promise<void>;
}

export interface AsyncResultStoreOptions {
  retentionMs?: number;
}

const key = { invocationId: 'inv-1', app: 'shop', functionName: 'checkout' };
const other = (invocationId: string) => ({ ...key, invocationId });

export function runAsyncResultStoreContract(
  name: string,
  newHarness: (options: AsyncResultStoreOptions) => Promise<AsyncResultStoreHarness>,
): void {
  const withStore = (title: string, fn: (h: AsyncResultStoreHarness) => Promise<void>, options: AsyncResultStoreOptions = {}) =>
    test(title, async () => {
      const h = await newHarness(options);
      try {
        await fn(h);
      } finally {
        await h.close();
      }
    });

  describe(`AsyncResultStore contract: ${name}`, () => {
    withStore('an invocation is recorded as queued, then running, then with its response', async ({ store, clock }) => {
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
      await store.update(key, { state: 'succeeded', status: 200, headers: [['content-type', 'text/plain'], ['x-a', '1']], bodyBase64: 'aGk=', error: null });
      assert.deepEqual(await store.get('inv-1'), {
        invocationId: 'inv-1', app: 'shop', functionName: 'checkout', state: 'succeeded', attempts: 2,
        status: 200, headers: [['content-type', 'text/plain'], ['x-a', '1']], bodyBase64: 'aGk=', error: null,
        createdAt: t0, updatedAt: t0 + 400, startedAt: t0 + 100, finishedAt: t0 + 400, expiresAt: t0 + 400 + ASYNC_RESULT_RETENTION_MS,
      });
    });

    withStore('omitted fields keep their value and null clears one', async ({ store }) => {
      await store.create(key);
      await store.update(key, { state: 'running', attempts: 1, status: 503, headers: [['a', 'b']], bodyBase64: 'eA==', error: 'busy' });
      await store.update(key, { state: 'running' });
      const kept = await store.get('inv-1');
      assert.deepEqual(
        [kept?.attempts, kept?.status, kept?.headers, kept?.bodyBase64, kept?.error],
        [1, 503, [['a', 'b']], 'eA==', 'busy'],
      );
      await store.update(key, { state: 'running', status: null, headers: null, bodyBase64: null, error: null });
      const cleared = await store.get('inv-1');
      assert.deepEqual(
        [cleared?.attempts, cleared?.status, cleared?.headers, cleared?.bodyBase64, cleared?.error],
        [1, null, null, null, null],
      );
    });

    withStore('startedAt is the first run; finishedAt is set by success or failure and cleared by a retry', async ({ store, clock }) => {
      const t0 = clock.now();
      await store.create(key);
      await clock.advance(10);
      await store.update(key, { state: 'running', attempts: 1 });
      await clock.advance(10);
      await store.update(key, { state: 'failed', error: 'boom' });
      assert.deepEqual(await store.get('inv-1').then((r) => [r?.state, r?.startedAt, r?.finishedAt]), ['failed', t0 + 10, t0 + 20]);
      await clock.advance(10);
      await store.update(key, { state: 'queued' });
      await clock.advance(10);
      await store.update(key, { state: 'running', attempts: 2 });
      assert.deepEqual(await store.get('inv-1').then((r) => [r?.state, r?.startedAt, r?.finishedAt]), ['running', t0 + 10, null]);
      await clock.advance(10);
      await store.update(key, { state: 'succeeded', status: 204 });
      assert.deepEqual(await store.get('inv-1').then((r) => [r?.startedAt, r?.finishedAt]), [t0 + 10, t0 + 50]);
    });

    withStore('a record that never existed is not found', async ({ store }) => {
      assert.equal(await store.get('never'), undefined);
      await store.create(key);
      assert.equal(await store.get('never'), undefined);
      assert.equal(await store.purgeExpired(), 0);
    });

    withStore('an update for a record that is missing creates it', async ({ store, clock }) => {
      await store.update(key, { state: 'running', attempts: 1 });
      const record = await store.get('inv-1');
      assert.deepEqual(
        [record?.state, record?.app, record?.functionName, record?.attempts, record?.createdAt, record?.startedAt],
        ['running', 'shop', 'checkout', 1, clock.now(), clock.now()],
      );
    });

    withStore('records are independent of each other', async ({ store }) => {
      await store.create(key);
      await store.create({ invocationId: 'inv-2', app: 'blog', functionName: 'render' });
      await store.update(other('inv-2'), { state: 'failed', error: 'boom' });
      assert.equal((await store.get('inv-1'))?.state, 'queued');
      const second = await store.get('inv-2');
      assert.deepEqual([second?.state, second?.app, second?.functionName], ['failed', 'blog', 'render']);
    });

    withStore('many writes at once all land', async ({ store }) => {
      const ids = Array.from({ length: 50 }, (_, n) => `inv-${n}`);
      await Promise.all(ids.map((id) => store.create(other(id))));
      await Promise.all(ids.map((id, n) => store.update(other(id), { state: n % 2 ? 'succeeded' : 'failed', attempts: n })));
      for (const [n, id] of ids.entries()) {
        const record = await store.get(id);
        assert.deepEqual([record?.state, record?.attempts], [n % 2 ? 'succeeded' : 'failed', n], id);
      }
    });

    withStore('remove deletes a record; removing it again, or one that never existed, is harmless', async ({ store }) => {
      await store.create(key);
      await store.create(other('inv-2'));
      await store.remove('inv-1');
      assert.equal(await store.get('inv-1'), undefined);
      await store.remove('inv-1');
      await store.remove('never');
      assert.equal((await store.get('inv-2'))?.state, 'queued');
      assert.equal(await store.purgeExpired(), 0, 'a removed record is not left to expire');
    });

    withStore('records are kept for the retention time after their last change, then purged', async ({ store, clock }) => {
      await store.create(key);
      await store.create(other('inv-2'));
      await clock.advance(ASYNC_RESULT_RETENTION_MS - 1);
      await store.update(other('inv-2'), { state: 'failed', error: 'boom' });
      assert.equal((await store.get('inv-1'))?.state, 'queued');
      await clock.advance(1);
      assert.equal(await store.get('inv-1'), undefined, 'expired records are never returned');
      assert.equal((await store.get('inv-2'))?.state, 'failed');
      assert.equal(await store.purgeExpired(), 1);
      assert.equal(await store.purgeExpired(), 0, 'purging twice finds nothing the second time');
      await clock.advance(ASYNC_RESULT_RETENTION_MS);
      // Writes sweep expired records on their own.
      await store.create(other('inv-3'));
      assert.equal(await store.purgeExpired(), 0);
      assert.equal(await store.get('inv-2'), undefined);
      assert.equal((await store.get('inv-3'))?.state, 'queued');
    });

    withStore('an update to an expired record starts it afresh', async ({ store, clock }) => {
      const t0 = clock.now();
      await store.create(key);
      await store.update(key, { state: 'running', attempts: 3 });
      await clock.advance(ASYNC_RESULT_RETENTION_MS);
      await store.update(key, { state: 'running' });
      const record = await store.get('inv-1');
      assert.deepEqual(
        [record?.attempts, record?.createdAt, record?.startedAt],
        [0, t0 + ASYNC_RESULT_RETENTION_MS, t0 + ASYNC_RESULT_RETENTION_MS],
      );
    });

    withStore('the retention time can be configured', async ({ store, clock }) => {
      await store.create(key);
      assert.equal((await store.get('inv-1'))?.expiresAt, clock.now() + 1_000);
      await clock.advance(999);
      assert.ok(await store.get('inv-1'));
      await clock.advance(1);
      assert.equal(await store.get('inv-1'), undefined);
      assert.equal(await store.purgeExpired(), 1);
    }, { retentionMs: 1_000 });
  });
}
