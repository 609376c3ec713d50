import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { QueueBatch, QueueSettings } from '../../../src/sdk/definition.js';
import type { EventResult } from '../../../src/runtime/event-invoker.js';
import { SqliteQueueStore } from '../../../src/store/sqlite/sqlite-queue-store.js';
import { THROTTLED_RETRY_DELAY_MS } from '../../../src/triggers/queue/queue-consumer.js';
import { QueueTriggerManager, REPORTED_FAILED_ERROR, type QueueTriggerBinding } from '../../../src/triggers/queue/queue-trigger.js';
import { openDatabase, tempDir } from '../../store/sqlite/helpers.js';
import { FakeClock, settle, waitFor } from '../../helpers/fake-clock.js';
import { deferred, FakeInvoker, type Deferred } from './fake-invoker.js';

type Setup = Awaited<ReturnType<typeof setup>>;

async function setup(settings: Partial<QueueSettings> = {}) {
  const tmp = tempDir();
  const db = openDatabase(join(tmp.dir, 'state.db'));
  const clock = new FakeClock();
  const store = new SqliteQueueStore(db, clock);
  const invoker = new FakeInvoker();
  const errors: unknown[] = [];
  // random() = 1: every backoff is its upper bound, initialMs · 2^(attempt-1), capped.
  const manager = new QueueTriggerManager({ queues: store, invoker, clock, random: () => 1, pollIntervalMs: 10_000, onError: (e) => errors.push(e) });
  const binding = (over: Partial<QueueTriggerBinding> = {}): QueueTriggerBinding => ({
    app: 'shop', functionName: 'worker', version: 1, settings: { queue: 'jobs', ...settings }, ...over,
  });
  manager.sync([binding()]);
  const batches = () => invoker.calls.map((c) => c.payload as QueueBatch);
  return {
    clock, store, invoker, manager, errors, binding, batches,
    bodies: () => batches().map((b) => b.messages.map((m) => m.body)),
    async close() {
      const closing = manager.close(1_000);
      await clock.advance(1_000);
      await closing;
      await store.close();
      db.close();
      tmp.remove();
    },
  };
}

async function run(settings: Partial<QueueSettings>, fn: (s: Setup) => Promise<void>) {
  const s = await setup(settings);
  try {
    await fn(s);
    assert.deepEqual(s.errors, []);
  } finally {
    await s.close();
  }
}

const sendAll = (s: Setup, bodies: unknown[], queue = 'jobs') => s.store.send(queue, bodies.map((body) => ({ body })));
const peek = async (s: Setup, queue = 'jobs') => s.store.peek(queue, 100);
const idsOf = (event: { payload: unknown }): string[] => (event.payload as QueueBatch).messages.map((m) => m.id);

test('a batch becomes one queue event for the bound version, and is acknowledged when the handler succeeds', async () => {
  await run({ batchSize: 3 }, async (s) => {
    const sent = await sendAll(s, [{ n: 1 }, { n: 2 }, { n: 3 }]);
    await waitFor(() => s.invoker.calls.length === 1, 'the batch');
    const event = s.invoker.calls[0]!;
    assert.deepEqual({ ...event, payload: undefined }, { app: 'shop', functionName: 'worker', version: 1, trigger: 'queue', payload: undefined });
    assert.deepEqual(event.payload, {
      queue: 'jobs',
      messages: sent.map((r, i) => ({ id: r.id, body: { n: i + 1 }, attempt: 1, enqueuedAt: s.clock.now() })),
    });
    await settle();
    assert.deepEqual(await peek(s), []);
  });
});

test('with fewer messages than batchSize it waits up to maxBatchWaitMs for more, on the clock', async () => {
  await run({ batchSize: 10, maxBatchWaitMs: 50 }, async (s) => {
    await sendAll(s, [1, 2, 3]);
    await settle();
    await s.clock.advance(20);
    await sendAll(s, [4, 5]);
    await s.clock.advance(29);
    assert.equal(s.invoker.calls.length, 0);
    await s.clock.advance(1);
    assert.deepEqual(s.bodies(), [[1, 2, 3, 4, 5]]);
    await sendAll(s, Array.from({ length: 10 }, (_, i) => i));
    await waitFor(() => s.invoker.calls.length === 2, 'a full batch at once');
    assert.equal(s.batches()[1]!.messages.length, 10);
  });
});

test('a partial failure retries only the ids the handler names, after a backoff, counting the attempt', async () => {
  await run({ batchSize: 3, maxBatchWaitMs: 0, backoff: { initialMs: 1_000 } }, async (s) => {
    // Set before the send: the consumer may take a message while its sender still waits for the disk.
    s.invoker.respond = (event, call) => (call === 1 ? { outcome: 'ok', value: { failed: [idsOf(event)[1], 'not-in-batch'] } } : { outcome: 'ok' });
    const sent = await sendAll(s, ['a', 'b', 'c']);
    await waitFor(() => s.invoker.calls.length === 1, 'the batch');
    await settle();
    const left = await peek(s);
    assert.deepEqual(left.map((m) => [m.id, m.state, m.attempts, m.lastError]), [[sent[1]!.id, 'delayed', 1, REPORTED_FAILED_ERROR]]);
    await s.clock.advance(999);
    assert.equal(s.invoker.calls.length, 1);
    await s.clock.advance(1);
    assert.deepEqual(s.batches()[1]!.messages.map((m) => [m.id, m.attempt]), [[sent[1]!.id, 2]]);
    await settle();
    assert.deepEqual(await peek(s), []);
  });
});

test('a failed message named in retryDelayMs is retried after that delay instead of the backoff; bad delays fall back to it', async () => {
  await run({ batchSize: 3, maxBatchWaitMs: 0, backoff: { initialMs: 1_000, maxMs: 1_000 } }, async (s) => {
    s.invoker.respond = (event, call) => {
      const [a, b, c] = idsOf(event);
      return call === 1
        ? { outcome: 'ok', value: { failed: [a, b], retryDelayMs: { [a!]: 5_000, [b!]: -1, [c!]: 9_000, other: 1 } } }
        : { outcome: 'ok' };
    };
    const [a, b] = (await sendAll(s, ['a', 'b', 'c'])).map((m) => m.id);
    await waitFor(() => s.invoker.calls.length === 1, 'the batch');
    await settle();
    const left = await peek(s);
    assert.deepEqual(left.map((m) => [m.id, m.state, m.attempts]).sort(), [[a, 'delayed', 1], [b, 'delayed', 1]].sort());
    assert.deepEqual(Object.fromEntries(left.map((m) => [m.id, m.visibleAt - s.clock.now()])), { [a!]: 5_000, [b!]: 1_000 });
  });
});

for (const maxConcurrency of [1, 3]) {
  test(`maxConcurrency ${maxConcurrency}: never more batches in flight at once`, async () => {
    await run({ batchSize: 2, maxBatchWaitMs: 0, maxConcurrency }, async (s) => {
      const held: Deferred<Omit<EventResult, 'id'>>[] = [];
      s.invoker.respond = () => {
        const d = deferred<Omit<EventResult, 'id'>>();
        held.push(d);
        return d.promise;
      };
      await sendAll(s, Array.from({ length: 20 }, (_, i) => i));
      for (let released = 0; released < 10; released++) {
        await waitFor(() => held.length > released, `batch ${released + 1}`);
        await settle();
        assert.equal(s.invoker.running, Math.min(maxConcurrency, 10 - released));
        held[released]!.resolve({ outcome: 'ok' });
      }
      await waitFor(() => s.invoker.running === 0, 'all batches');
      assert.equal(s.invoker.maxRunning, maxConcurrency);
      assert.deepEqual(s.bodies().flat().sort((a, b) => (a as number) - (b as number)), Array.from({ length: 20 }, (_, i) => i));
      await settle();
      assert.deepEqual(await peek(s), []);
    });
  });
}

test('batch size 1 with many slots: one lease fills every slot, and each message is acknowledged or retried on its own', async () => {
  await run({ batchSize: 1, maxBatchWaitMs: 0, maxConcurrency: 20, backoff: { initialMs: 1_000 } }, async (s) => {
    const held = new Map<string, Deferred<Omit<EventResult, 'id'>>>();
    s.invoker.respond = (event) => {
      const d = deferred<Omit<EventResult, 'id'>>();
      held.set((event.payload as QueueBatch).messages[0]!.id, d);
      return d.promise;
    };
    const sent = await sendAll(s, Array.from({ length: 30 }, (_, i) => i));
    await waitFor(() => held.size === 20, '20 invocations at once');
    await settle();
    assert.equal(s.invoker.running, 20);
    assert.ok(s.batches().every((b) => b.messages.length === 1));
    // Finish them out of order: odd bodies fail, even ones succeed.
    const first = sent.slice(0, 20).reverse();
    for (const { id } of first) {
      const body = Number(id) - Number(sent[0]!.id);
      held.get(id)!.resolve(body % 2 === 1 ? { outcome: 'error', error: `odd ${body}` } : { outcome: 'ok' });
    }
    await waitFor(() => held.size === 30, 'the freed slots refilled with the other 10');
    for (const { id } of sent.slice(20)) held.get(id)!.resolve({ outcome: 'ok' });
    await waitFor(() => s.invoker.running === 0, 'all done');
    await settle();
    const left = await peek(s);
    assert.deepEqual(
      left.map((m) => [m.body, m.state, m.attempts, m.lastError]),
      Array.from({ length: 10 }, (_, k) => [2 * k + 1, 'delayed', 1, `odd ${2 * k + 1}`]),
    );
    await s.clock.advance(1_000);
    await waitFor(() => s.invoker.calls.length === 40, 'the 10 retries');
    for (const m of left) held.get(m.id)!.resolve({ outcome: 'ok' });
    await waitFor(() => s.invoker.running === 0, 'retries done');
    await settle();
    assert.deepEqual(await peek(s), []);
    assert.equal(s.invoker.maxRunning, 20);
  });
});

test('a throttled batch is returned without counting the attempt, and retried after a short delay', async () => {
  await run({ batchSize: 1 }, async (s) => {
    s.invoker.respond = (_event, call) => (call === 1 ? { outcome: 'throttled', error: 'at its cap' } : { outcome: 'ok' });
    await sendAll(s, ['x']);
    await waitFor(() => s.invoker.calls.length === 1, 'the first try');
    await settle();
    const [m] = await peek(s);
    assert.equal(m!.state, 'delayed');
    assert.equal(m!.attempts, 0);
    await s.clock.advance(THROTTLED_RETRY_DELAY_MS - 1);
    assert.equal(s.invoker.calls.length, 1);
    await s.clock.advance(1);
    await waitFor(() => s.invoker.calls.length === 2, 'the retry');
    assert.equal(s.batches()[1]!.messages[0]!.attempt, 1);
  });
});

test('failures retry with exponential backoff, then go to <queue>.dlq with their last error', async () => {
  await run({ batchSize: 1, maxBatchWaitMs: 0, maxAttempts: 3, backoff: { initialMs: 1_000, maxMs: 1_500 } }, async (s) => {
    s.invoker.respond = (_event, call) => ({ outcome: 'error', error: `boom ${call}` });
    const [sent] = await sendAll(s, [{ order: 7 }]);
    await waitFor(() => s.invoker.calls.length === 1, 'attempt 1');
    await s.clock.advance(999);
    assert.equal(s.invoker.calls.length, 1);
    await s.clock.advance(1); // 1 000 ms after attempt 1
    assert.equal(s.invoker.calls.length, 2);
    await s.clock.advance(1_499);
    assert.equal(s.invoker.calls.length, 2);
    await s.clock.advance(1); // min(2 000, maxMs 1 500) after attempt 2
    assert.equal(s.invoker.calls.length, 3);
    await settle();
    assert.deepEqual(s.batches().map((b) => b.messages[0]!.attempt), [1, 2, 3]);
    assert.deepEqual(await peek(s), []);
    const [dead] = await peek(s, 'jobs.dlq');
    assert.deepEqual([dead!.id, dead!.body, dead!.attempts, dead!.lastError], [sent!.id, { order: 7 }, 3, 'boom 3']);
    await s.clock.advance(600_000);
    assert.equal(s.invoker.calls.length, 3);
  });
});

test('crashes, timeouts and thrown errors are failed attempts with their error; deadLetterQueue is honoured', async () => {
  await run({ batchSize: 1, maxBatchWaitMs: 0, maxAttempts: 2, deadLetterQueue: 'graveyard' }, async (s) => {
    s.invoker.respond = (_event, call) => {
      if (call === 1) return { outcome: 'crashed', error: 'the function instance crashed' };
      throw new Error('dispatcher fell over');
    };
    await sendAll(s, ['x']);
    await waitFor(() => s.invoker.calls.length === 1, 'attempt 1');
    await settle();
    assert.deepEqual((await peek(s)).map((m) => [m.attempts, m.lastError]), [[1, 'the function instance crashed']]);
    await s.clock.advance(1_000);
    await waitFor(() => s.invoker.calls.length === 2, 'attempt 2');
    await settle();
    assert.deepEqual((await peek(s, 'graveyard')).map((m) => [m.attempts, m.lastError, m.deadLetteredFrom]), [[2, 'dispatcher fell over', 'jobs']]);
  });
});

test('a batch whose lease runs out is delivered again as the next attempt', async () => {
  await run({ batchSize: 1, maxBatchWaitMs: 0, maxConcurrency: 2, visibilityTimeoutMs: 5_000 }, async (s) => {
    const stuck = deferred<Omit<EventResult, 'id'>>();
    s.invoker.respond = (_event, call) => (call === 1 ? stuck.promise : { outcome: 'ok' });
    const [sent] = await sendAll(s, ['slow']);
    await waitFor(() => s.invoker.calls.length === 1, 'attempt 1');
    await s.clock.advance(4_999);
    assert.equal(s.invoker.calls.length, 1);
    await s.clock.advance(1);
    await waitFor(() => s.invoker.calls.length === 2, 'attempt 2');
    assert.deepEqual(s.batches()[1]!.messages.map((m) => [m.id, m.attempt]), [[sent!.id, 2]]);
    stuck.resolve({ outcome: 'ok' });
    await settle();
    assert.deepEqual(await peek(s), []);
  });
});

test('a message whose leases ran out maxAttempts times is dead-lettered without running again', async () => {
  await run({ batchSize: 1, maxBatchWaitMs: 0, maxConcurrency: 2, maxAttempts: 1, visibilityTimeoutMs: 5_000 }, async (s) => {
    const stuck = deferred<Omit<EventResult, 'id'>>();
    s.invoker.respond = () => stuck.promise;
    await sendAll(s, ['kills its instance']);
    await waitFor(() => s.invoker.calls.length === 1, 'attempt 1');
    await s.clock.advance(5_000);
    await settle();
    const [dead] = await peek(s, 'jobs.dlq');
    assert.equal(dead!.attempts, 1);
    assert.match(dead!.lastError!, /visibility timeout/);
    assert.equal(s.invoker.calls.length, 1);
    stuck.resolve({ outcome: 'ok' });
  });
});

test('sync starts, re-versions and stops consumers as deployments change; close waits for batches in flight', async () => {
  const s = await setup({ batchSize: 1, maxBatchWaitMs: 0 });
  try {
    await sendAll(s, ['v1']);
    await waitFor(() => s.invoker.calls.length === 1, 'v1 batch');
    assert.equal(s.invoker.calls[0]!.version, 1);

    s.manager.sync([
      s.binding({ version: 2 }),
      s.binding({ functionName: 'mailer', settings: { queue: 'mail', maxBatchWaitMs: 0 } }),
      s.binding({ functionName: 'broken', settings: { queue: 'Not Valid' } }),
    ]);
    assert.equal(s.errors.length, 1, 'the invalid binding is reported and skipped');
    s.errors.length = 0;
    await sendAll(s, ['v2']);
    await sendAll(s, ['mail'], 'mail');
    await waitFor(() => s.invoker.calls.length === 3, 'v2 and mail batches');
    assert.deepEqual(
      s.invoker.calls.slice(1).map((c) => [c.functionName, c.version]).sort(),
      [['mailer', 1], ['worker', 2]],
    );

    // The worker's queue moves: the old consumer stops, a new one takes the new queue.
    s.manager.sync([s.binding({ version: 3, settings: { queue: 'jobs-2', maxBatchWaitMs: 0 } }), s.binding({ functionName: 'mailer', settings: { queue: 'mail', maxBatchWaitMs: 0 } })]);
    await sendAll(s, ['ignored now']);
    await sendAll(s, ['on jobs-2'], 'jobs-2');
    await waitFor(() => s.invoker.calls.length === 4, 'jobs-2 batch');
    await settle();
    assert.deepEqual(s.bodies().at(-1), ['on jobs-2']);
    assert.equal((await peek(s)).length, 1);

    const held = deferred<Omit<EventResult, 'id'>>();
    s.invoker.respond = () => held.promise;
    await sendAll(s, ['in flight at close'], 'mail');
    await waitFor(() => s.invoker.calls.length === 5, 'held batch');
    let closed = false;
    const closing = s.manager.close(60_000).then(() => (closed = true));
    await settle();
    assert.equal(closed, false, 'close waits for the batch in flight');
    held.resolve({ outcome: 'ok' });
    await closing;
    assert.deepEqual(await peek(s, 'mail'), [], 'and its messages were acknowledged');
    assert.deepEqual(s.errors, []);
  } finally {
    await s.close();
  }
});
