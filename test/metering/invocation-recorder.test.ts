import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InvocationRecorder } from '../../src/metering/invocation-recorder.js';
import { InvocationLifecycle } from '../../src/runtime/lifecycle.js';
import type { MeteringBatch, MeteringStore } from '../../src/store/metering-store.js';
import { SqliteMeteringStore } from '../../src/store/sqlite/sqlite-metering-store.js';
import { FakeClock, settle } from './fake-clock.js';
import { finished } from './events.js';
import { openTempDatabase } from './sqlite-fixture.js';

const DAY = 86_400_000;

/** A real SQLite store that also remembers each batch it was asked to write. */
function countingStore(store: MeteringStore): MeteringStore & { batches: number[] } {
  const batches: number[] = [];
  return {
    batches,
    writeBatch(batch: MeteringBatch) {
      batches.push(batch.records.count);
      return store.writeBatch(batch);
    },
    listRecords: (query) => store.listRecords(query),
    pageRecords: (query) => store.pageRecords(query),
    listRollups: (query) => store.listRollups(query),
    usage: (query) => store.usage(query),
    sweep: (retention) => store.sweep(retention),
  };
}

function setUp(options: Partial<ConstructorParameters<typeof InvocationRecorder>[0]> = {}) {
  const clock = new FakeClock();
  const database = openTempDatabase();
  const sqlite = new SqliteMeteringStore(database.db, clock);
  const store = countingStore(sqlite);
  const lifecycle = new InvocationLifecycle();
  const recorder = new InvocationRecorder({ store, clock, flushIntervalMs: 1_000, flushBatchSize: 100, ...options });
  recorder.attach(lifecycle);
  return { clock, store, lifecycle, recorder, close: database.close };
}

test('the finished hook only buffers; records are written together when the flush interval passes', async () => {
  const { clock, store, lifecycle, recorder, close } = setUp();
  try {
    for (let i = 0; i < 25; i++) lifecycle.emit('finished', finished());
    await settle();
    assert.deepEqual(store.batches, [], 'nothing is written on the hot path');
    clock.advance(999);
    await settle();
    assert.deepEqual(store.batches, []);
    clock.advance(1);
    await settle();
    assert.deepEqual(store.batches, [25], 'one batch, one transaction, for all 25');
    assert.equal((await store.listRecords({ limit: 100 })).length, 25);
  } finally {
    await recorder.close();
    close();
  }
});

test('a full batch is written on the next turn of the event loop without waiting for the interval', async () => {
  const { store, lifecycle, recorder, close } = setUp({ flushBatchSize: 10 });
  try {
    for (let i = 0; i < 10; i++) lifecycle.emit('finished', finished());
    assert.deepEqual(store.batches, []);
    await settle();
    assert.deepEqual(store.batches, [10]);
  } finally {
    await recorder.close();
    close();
  }
});

test('close writes what is still buffered and stops listening', async () => {
  const { store, lifecycle, recorder, close } = setUp();
  try {
    lifecycle.emit('finished', finished({ id: 'last' }));
    await recorder.close();
    assert.deepEqual(store.batches, [1]);
    lifecycle.emit('finished', finished({ id: 'after-close' }));
    await settle();
    assert.deepEqual((await store.listRecords({ limit: 10 })).map((r) => r.id), ['last']);
  } finally {
    close();
  }
});

test('the buffer is bounded: past the cap, records are dropped and counted', async () => {
  const { store, lifecycle, recorder, close } = setUp({ maxBufferedRecords: 5, flushBatchSize: 1_000 });
  try {
    for (let i = 0; i < 8; i++) lifecycle.emit('finished', finished());
    assert.equal(recorder.dropped, 3);
    await recorder.flush();
    assert.deepEqual(store.batches, [5]);
  } finally {
    await recorder.close();
    close();
  }
});

test('a failing store loses that batch, reports it, and never throws into the lifecycle', async () => {
  const clock = new FakeClock();
  const errors: string[] = [];
  const failing = {
    writeBatch: async () => {
      throw new Error('disk full');
    },
  } as unknown as MeteringStore;
  const lifecycle = new InvocationLifecycle();
  const recorder = new InvocationRecorder({ store: failing, clock, onError: (e, context) => errors.push(`${context}: ${(e as Error).message}`) });
  recorder.attach(lifecycle);
  lifecycle.emit('finished', finished());
  lifecycle.emit('finished', finished());
  await recorder.flush();
  assert.deepEqual(errors, ['writing 2 invocation records: disk full']);
  assert.equal(recorder.dropped, 2);
  await recorder.close();
});

test('the retention sweep runs on its interval and holds the age and count caps', async () => {
  const { clock, store, lifecycle, recorder, close } = setUp({
    sweepIntervalMs: 60_000,
    retention: { recordMaxAgeMs: DAY, recordMaxCount: 50 },
  });
  try {
    const now = clock.now();
    lifecycle.emit('finished', finished({ id: 'stale', startedAt: now - 2 * DAY }));
    for (let i = 0; i < 80; i++) lifecycle.emit('finished', finished({ startedAt: now + i }));
    await recorder.flush();
    assert.equal((await store.listRecords({ limit: 1_000 })).length, 81);
    clock.advance(60_000);
    await settle();
    const kept = await store.listRecords({ limit: 1_000 });
    assert.equal(kept.length, 50);
    assert.ok(kept.every((r) => r.id !== 'stale'));
    assert.equal(kept.at(-1)?.startedAt, now + 30, 'the oldest records went first');
    // Roll-ups keep counting what raw records no longer hold.
    const rollups = await store.listRollups({ since: 0 });
    assert.equal(rollups.reduce((n, r) => n + r.invocations, 0), 81);
    assert.equal(clock.pendingTimers > 0, true, 'the next sweep is scheduled');
  } finally {
    await recorder.close();
    close();
  }
});
