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
