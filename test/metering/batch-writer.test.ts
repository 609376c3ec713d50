import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BatchWriter } from '../../src/metering/batch-writer.js';
import { FakeClock } from './fake-clock.js';

test('a backlog bigger than maxWriteSize is written in slices, in order, with the event loop free between them', async () => {
  const writes: number[][] = [];
  let turnsBetween = 0;
  const writer = new BatchWriter<number>({
    clock: new FakeClock(),
    flushIntervalMs: 1_000,
    flushBatchSize: 100,
    maxBuffered: 1_000,
    maxWriteSize: 3,
    write: async (batch) => {
      writes.push([...batch]);
    },
  });
  for (let i = 1; i <= 8; i++) writer.push(i);
  const ticking = setInterval(() => turnsBetween++, 0);
  setImmediate(() => turnsBetween++);
  await writer.flush();
  clearInterval(ticking);
  assert.deepEqual(writes, [[1, 2, 3], [4, 5, 6], [7, 8]]);
  assert.ok(turnsBetween > 0, 'other work ran while the slices were written');
  assert.equal(writer.buffered, 0);
});

test('maxWriteSize must be positive', () => {
  assert.throws(
    () => new BatchWriter({ clock: new FakeClock(), flushIntervalMs: 1, flushBatchSize: 1, maxBuffered: 1, maxWriteSize: 0, write: async () => {} }),
    /maxWriteSize must be a positive number/,
  );
});

test('a write that fails in a way that passes keeps its batch, in order, and writes it once the store is back', async () => {
  const clock = new FakeClock();
  const writes: number[][] = [];
  let storeUp = false;
  const writer = new BatchWriter<number>({
    clock,
    flushIntervalMs: 1_000,
    flushBatchSize: 100,
    maxBuffered: 5,
    retryIntervalMs: 500,
    retryable: (error) => (error as Error).message === 'unreachable',
    write: async (batch) => {
      if (!storeUp) throw new Error('unreachable');
      writes.push([...batch]);
    },
  });
  for (const n of [1, 2, 3]) writer.push(n);
  await writer.flush();
  assert.deepEqual(writes, []);
  assert.equal(writer.dropped, 0, 'held, not dropped');
  writer.push(4);
  writer.push(5);
  writer.push(6); // past maxBuffered (3 held + 2 waiting): dropped, memory stays bounded
  assert.equal(writer.dropped, 1);
  storeUp = true;
  clock.advance(500);
  await writer.flush();
  assert.deepEqual(writes, [[1, 2, 3], [4, 5]], 'the held batch first, then the newer items');
  assert.equal(writer.buffered, 0);
});

test('a write that fails for good drops its batch and says so', async () => {
  const errors: number[] = [];
  const writer = new BatchWriter<number>({
    clock: new FakeClock(),
    flushIntervalMs: 1_000,
    flushBatchSize: 100,
    maxBuffered: 100,
    retryable: () => false,
    onError: (_error, dropped) => errors.push(dropped),
    write: async () => {
      throw new Error('constraint');
    },
  });
  writer.push(1);
  writer.push(2);
  await writer.flush();
  assert.deepEqual(errors, [2]);
  assert.equal(writer.dropped, 2);
  assert.equal(writer.buffered, 0);
});

test('items pushed while a slow write is under way wait for their own trigger, not a stream of small batches', async () => {
  const clock = new FakeClock();
  const writes: number[][] = [];
  let finishWrite: () => void = () => {};
  const writer = new BatchWriter<number>({
    clock,
    flushIntervalMs: 1_000,
    flushBatchSize: 5,
    maxBuffered: 100,
    write: (batch) => {
      writes.push([...batch]);
      return new Promise<void>((resolve) => (finishWrite = resolve));
    },
  });
  for (const n of [1, 2, 3]) writer.push(n);
  const flushed = writer.flush();
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(writes, [[1, 2, 3]], 'the write is under way');
  writer.push(4);
  writer.push(5);
  finishWrite();
  await flushed;
  assert.deepEqual(writes, [[1, 2, 3]], 'the flush wrote what was buffered when it began');
  assert.equal(writer.buffered, 2);

  clock.advance(1_000);
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(writes, [[1, 2, 3], [4, 5]], 'the newer items on their interval');
  finishWrite();

  // A batch's worth arriving during a write is written right after it.
  for (const n of [6, 7]) writer.push(n);
  const second = writer.flush();
  await new Promise((resolve) => setImmediate(resolve));
  for (const n of [8, 9, 10, 11, 12]) writer.push(n);
  finishWrite();
  await second;
  await new Promise((resolve) => setImmediate(resolve));
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(writes.slice(2), [[6, 7], [8, 9, 10, 11, 12]]);
  finishWrite();
  await writer.close();
});
