import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { NimbusError } from '../../../src/shared/errors.js';
import { MAX_MESSAGE_BYTES } from '../../../src/store/queue-store.js';
import { SqliteAsyncResultStore } from '../../../src/store/sqlite/sqlite-async-result-store.js';
import { SqliteQueueStore } from '../../../src/store/sqlite/sqlite-queue-store.js';
import { AsyncInvocations, asyncQueueName, type AsyncBindingLookup, type AsyncFunctionBinding, type AsyncPayload } from '../../../src/triggers/queue/async-invocations.js';
import { openDatabase, tempDir } from '../../store/sqlite/helpers.js';
import { FakeClock, settle, waitFor } from '../../helpers/fake-clock.js';
import { FakeInvoker } from './fake-invoker.js';

/** The node looks bindings up in what is deployed; here, in a list. */
function lookupOf(bindings: AsyncFunctionBinding[]): AsyncBindingLookup {
  return (app, functionName) => bindings.find((b) => b.app === app && b.functionName === functionName);
}

async function withAsync(fn: (s: {
  clock: FakeClock; queues: SqliteQueueStore; invoker: FakeInvoker; async: AsyncInvocations; records: () => number;
}) => Promise<void>) {
  const tmp = tempDir();
  const db = openDatabase(join(tmp.dir, 'state.db'));
  const clock = new FakeClock();
  const queues = new SqliteQueueStore(db, clock);
  const results = new SqliteAsyncResultStore(db, clock);
  const invoker = new FakeInvoker();
  const errors: unknown[] = [];
  const async = new AsyncInvocations({ queues, results, invoker, clock, random: () => 1, pollIntervalMs: 10_000, onError: (e) => errors.push(e) });
  try {
    const records = () => db.prepare('SELECT count(*) FROM async_invocations').pluck().get() as number;
    await fn({ clock, queues, invoker, async, records });
    assert.deepEqual(errors, []);
  } finally {
    const closing = async.close(1_000);
    await clock.advance(1_000);
    await closing;
    db.close();
    tmp.remove();
  }
}

const request = { method: 'POST', url: 'http://localhost/fn/shop/checkout?x=1', headers: [['content-type', 'text/plain']] as [string, string][], body: Buffer.from('hello') };
const ok = (status: number, body: string) => ({ outcome: 'ok' as const, value: { status, headers: [['content-type', 'text/plain']], bodyBase64: Buffer.from(body).toString('base64') } });

test('an async call is stored as a queued message and record, then run through invokeEvent and its response kept', async () => {
  await withAsync(async ({ queues, invoker, async, clock }) => {
    const id = await async.enqueue('shop', 'checkout', request);
    assert.equal((await async.get(id))?.state, 'queued');
    const [message] = await queues.peek(asyncQueueName('shop', 'checkout'), 10);
    const payload: AsyncPayload = { invocationId: id, method: 'POST', url: request.url, headers: request.headers, bodyBase64: 'aGVsbG8=' };
    assert.deepEqual(message!.body, payload);

    invoker.respond = () => ok(201, 'made');
    async.sync(lookupOf([{ app: 'shop', functionName: 'checkout' }]));
    await waitFor(() => invoker.calls.length === 1, 'the attempt');
    assert.deepEqual(invoker.calls[0], { id, app: 'shop', functionName: 'checkout', trigger: 'async', payload });
    await settle();
    const record = await async.get(id);
    assert.equal(record?.state, 'succeeded');
    assert.deepEqual([record?.status, record?.headers, record?.bodyBase64, record?.attempts], [201, [['content-type', 'text/plain']], 'bWFkZQ==', 1]);
    assert.equal(record?.finishedAt, clock.now());
    assert.deepEqual(await queues.peek(asyncQueueName('shop', 'checkout'), 10), []);
  });
});

test('a 5xx answer is a failed attempt: retried with backoff, then failed with the last response', async () => {
  await withAsync(async ({ invoker, async, clock, queues }) => {
    async.sync(lookupOf([{ app: 'shop', functionName: 'checkout', settings: { maxAttempts: 2, backoff: { initialMs: 100 } } }]));
    invoker.respond = (_e, call) => (call === 1 ? { outcome: 'timeout', error: 'the function did not finish within its timeout' } : ok(503, 'down'));
    const id = await async.enqueue('shop', 'checkout', { ...request, body: null });
    await waitFor(() => invoker.calls.length === 1, 'attempt 1');
    assert.equal((invoker.calls[0]!.payload as AsyncPayload).bodyBase64, null);
    await settle();
    let record = await async.get(id);
    assert.deepEqual([record?.state, record?.attempts, record?.error], ['queued', 1, 'the function did not finish within its timeout']);
    await clock.advance(100);
    await waitFor(() => invoker.calls.length === 2, 'attempt 2');
    await settle();
    record = await async.get(id);
    assert.deepEqual(
      [record?.state, record?.attempts, record?.status, record?.bodyBase64, record?.error],
      ['failed', 2, 503, Buffer.from('down').toString('base64'), 'the function answered with status 503'],
    );
    assert.equal((await queues.peek(`${asyncQueueName('shop', 'checkout')}.dlq`, 10)).length, 1);
  });
});

test('a 4xx answer is the function\'s answer, not a failure; throttling does not count as an attempt', async () => {
  await withAsync(async ({ invoker, async, clock }) => {
    async.sync(lookupOf([{ app: 'shop', functionName: 'checkout' }]));
    invoker.respond = (_e, call) => (call === 1 ? { outcome: 'throttled' } : ok(404, 'no such order'));
    const id = await async.enqueue('shop', 'checkout', request);
    await waitFor(() => invoker.calls.length === 1, 'throttled attempt');
    await settle();
    assert.deepEqual([(await async.get(id))?.state, (await async.get(id))?.attempts], ['queued', 0]);
    await clock.advance(1_000);
    await waitFor(() => invoker.calls.length === 2, 'attempt');
    await settle();
    const record = await async.get(id);
    assert.deepEqual([record?.state, record?.status, record?.attempts], ['succeeded', 404, 1]);
  });
});

test('a request too large for the queue is refused (413) and leaves no record behind', async () => {
  await withAsync(async ({ async, records }) => {
    await assert.rejects(
      async.enqueue('shop', 'checkout', { ...request, body: Buffer.alloc(MAX_MESSAGE_BYTES) }),
      (err: NimbusError) => err.code === 'NIMBUS_ERR_BODY_TOO_LARGE' && err.status === 413,
    );
    assert.equal(records(), 0);
    await async.enqueue('shop', 'checkout', request);
    assert.equal(records(), 1);
  });
});

test('a consumer runs only while its function\'s queue holds messages: a send here starts it at once, one sent elsewhere is found at the next look, an emptied queue\'s stops', async () => {
  await withAsync(async ({ invoker, async, clock, queues }) => {
    invoker.respond = () => ok(200, 'done');
    async.sync(lookupOf([{ app: 'shop', functionName: 'checkout' }, { app: 'shop', functionName: 'refund' }, { app: 'shop', functionName: 'idle' }]));
    await settle();
    assert.equal(async.consumers, 0, 'no messages, no consumers');

    const first = await async.enqueue('shop', 'checkout', request);
    assert.equal(async.consumers, 1);
    await waitFor(() => invoker.calls.length === 1, 'the attempt of the send made here');
    await settle();
    assert.equal((await async.get(first))?.state, 'succeeded');
    await clock.advance(10_000);
    await settle();
    assert.equal(async.consumers, 0, 'the emptied queue\'s consumer stopped at the next look');

    // Another node (or a start before this one) left a message: no send here wakes anything, the next look finds it.
    const payload: AsyncPayload = { invocationId: 'from-elsewhere', method: 'POST', url: request.url, headers: [], bodyBase64: null };
    await queues.send(asyncQueueName('shop', 'refund'), [{ body: payload }], { internal: true });
    await settle();
    assert.equal(invoker.calls.length, 1);
    await clock.advance(10_000);
    await waitFor(() => invoker.calls.length === 2, 'the attempt of the message sent elsewhere');
    assert.equal(invoker.calls[1]!.functionName, 'refund');
    await settle();
    await clock.advance(10_000);
    await settle();
    assert.equal(async.consumers, 0);
  });
});

test('a function\'s queue holding messages when the functions are synced (a restart) is consumed at once', async () => {
  await withAsync(async ({ invoker, async }) => {
    invoker.respond = () => ok(200, 'done');
    const id = await async.enqueue('shop', 'checkout', request);
    async.sync(lookupOf([{ app: 'shop', functionName: 'checkout' }, { app: 'shop', functionName: 'idle' }]));
    await waitFor(() => invoker.calls.length === 1, 'the attempt');
    await settle();
    assert.equal((await async.get(id))?.state, 'succeeded');
    assert.equal(async.consumers, 1, 'only the function with messages has a consumer until the next look');
  });
});

test('messages for a function no longer deployed start nothing, and a sync without it stops its consumer', async () => {
  await withAsync(async ({ invoker, async, clock, queues }) => {
    invoker.respond = () => ok(200, 'done');
    let deployed = [{ app: 'my-shop', functionName: 'checkout' }];
    // Looked up live, as the node does: a sync says when to look again.
    async.sync((app, functionName) => deployed.find((b) => b.app === app && b.functionName === functionName));
    const payload: AsyncPayload = { invocationId: 'orphan', method: 'POST', url: request.url, headers: [], bodyBase64: null };
    await queues.send(asyncQueueName('my-shop', 'gone'), [{ body: payload }], { internal: true });
    await queues.send(asyncQueueName('other', 'checkout'), [{ body: payload }], { internal: true });
    await clock.advance(10_000);
    await settle();
    assert.equal(async.consumers, 0, 'queues of functions not deployed have no consumer');
    assert.equal(invoker.calls.length, 0);

    invoker.respond = () => new Promise(() => {}); // the attempt stays running, so the consumer does too
    await async.enqueue('my-shop', 'checkout', request);
    await waitFor(() => invoker.calls.length === 1, 'the attempt');
    assert.equal(async.consumers, 1);
    deployed = [];
    async.sync((app, functionName) => deployed.find((b) => b.app === app && b.functionName === functionName));
    await settle();
    assert.equal(async.consumers, 0, 'the consumer of the function gone stopped');
  });
});
