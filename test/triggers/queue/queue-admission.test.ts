import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Admission, EventInvocation, EventResult } from '../../../src/runtime/event-invoker.js';
import { SqliteQueueStore } from '../../../src/store/sqlite/sqlite-queue-store.js';
import { QueueTriggerManager } from '../../../src/triggers/queue/queue-trigger.js';
import { openDatabase, tempDir } from '../../store/sqlite/helpers.js';
import { FakeClock, settle, waitFor } from '../../helpers/fake-clock.js';
import { FakeInvoker } from './fake-invoker.js';

/** A budget of `permits` as the dispatcher's `admit` offers it: waits until one is free, hands it to the invocation. */
class AdmittingInvoker extends FakeInvoker {
  free: number;
  admits = 0;
  cancelled = 0;
  readonly #waiting: (() => void)[] = [];
  readonly admitted = new Set<Admission>();

  constructor(permits: number) {
    super();
    this.free = permits;
  }

  async admit(_target: unknown, signal: AbortSignal): Promise<Admission> {
    this.admits++;
    while (this.free === 0) {
      if (signal.aborted) throw new Error('aborted');
      await new Promise<void>((resolve) => {
        this.#waiting.push(resolve);
        signal.addEventListener('abort', () => resolve(), { once: true });
      });
      if (signal.aborted) throw new Error('aborted');
    }
    this.free--;
    let done = false;
    const admission: Admission = {
      waitedMs: 0,
      cancel: () => {
        if (done) return;
        done = true;
        this.cancelled++;
        this.giveBack();
      },
    };
    this.admitted.add(admission);
    return admission;
  }

  giveBack(): void {
    this.free++;
    this.#waiting.shift()?.();
  }

  override async invokeEvent(event: EventInvocation): Promise<EventResult> {
    try {
      return await super.invokeEvent(event);
    } finally {
      // The dispatcher releases the permits it took over when the invocation ends.
      if (event.admission) this.giveBack();
    }
  }
}

async function setup(permits: number) {
  const tmp = tempDir();
  const db = openDatabase(join(tmp.dir, 'state.db'));
  const clock = new FakeClock();
  const store = new SqliteQueueStore(db, clock);
  const invoker = new AdmittingInvoker(permits);
  const errors: unknown[] = [];
  const manager = new QueueTriggerManager({ queues: store, invoker, clock, pollIntervalMs: 10_000, onError: (e) => errors.push(e) });
  manager.sync([{ app: 'shop', functionName: 'worker', version: 1, settings: { queue: 'jobs', batchSize: 1, maxConcurrency: 4, visibilityTimeoutMs: 1_000, maxAttempts: 1 } }]);
  return {
    clock, store, invoker, errors,
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

test('a budgeted consumer takes its permit before it leases: held messages stay unleased, keep their attempts and never reach the DLQ', async () => {
  const s = await setup(0);
  try {
    await s.store.send('jobs', [{ body: 1 }, { body: 2 }]);
    await waitFor(() => s.invoker.admits === 1, 'the consumer asking for a permit');
    // Long past the lease: nothing was leased, so nothing runs out.
    await s.clock.advance(5_000);
    const stats = (await s.store.listQueues()).find((q) => q.name === 'jobs')!;
    assert.equal(stats.depth, 2);
    assert.equal(stats.inFlight, 0);
    assert.equal(s.invoker.calls.length, 0);
    s.invoker.giveBack();
    await waitFor(() => s.invoker.calls.length === 1, 'the first message run');
    assert.ok(s.invoker.calls[0]!.admission, 'the invocation carries the permit');
    s.invoker.giveBack();
    await waitFor(() => s.invoker.calls.length === 2, 'the second message run');
    const batches = s.invoker.calls.map((c) => (c.payload as { messages: { attempt: number }[] }).messages[0]!.attempt);
    assert.deepEqual(batches, [1, 1]);
    await settle();
    assert.equal((await s.store.listQueues()).find((q) => q.name === 'jobs.dlq')?.depth ?? 0, 0);
    assert.deepEqual(s.errors, []);
  } finally {
    await s.close();
  }
});

test('a permit taken for an empty queue is given back unused, and stopping ends a wait for one', async () => {
  const s = await setup(1);
  try {
    await waitFor(() => s.invoker.cancelled >= 1, 'the unused permit given back');
    assert.equal(s.invoker.free, 1);
    s.invoker.free = 0;
    await s.clock.advance(10_000);
    await waitFor(() => s.invoker.admits >= 2, 'a wait for a permit');
  } finally {
    await s.close();
  }
  assert.deepEqual(s.errors, []);
});
