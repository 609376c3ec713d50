import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ageCut, countCut, RecordCollector, cutSize, meteringBatch, recordsStartedBefore, withoutFirst } from '../../src/metering/record-batches.js';
import { toInvocationRecord } from '../../src/metering/invocation-record.js';
import { RecordColumns } from '../../src/metering/record-columns.js';
import type { InvocationRecord } from '../../src/store/metering-store.js';
import { finished } from './events.js';

const batches = [
  { seq: 1, recordCount: 10, newestStartedAt: 100 },
  { seq: 2, recordCount: 10, newestStartedAt: 200 },
  { seq: 5, recordCount: 10, newestStartedAt: 300 },
];

test('a count cut deletes whole batches from the oldest, then the front of one', () => {
  assert.deepEqual(countCut(batches, 30, 30), { deleteThroughSeq: null, wholeRecords: 0, cut: null });
  assert.deepEqual(countCut(batches, 30, 20), { deleteThroughSeq: 1, wholeRecords: 10, cut: null });
  const cut = countCut(batches, 30, 7);
  assert.deepEqual(cut, { deleteThroughSeq: 2, wholeRecords: 20, cut: { seq: 5, drop: 3 } });
  assert.equal(cutSize(cut), 23);
});

test('an age cut deletes batches wholly older than the cutoff and counts into the one that straddles it', () => {
  const asked: number[] = [];
  const cut = ageCut(batches, 250, (seq) => (asked.push(seq), 4));
  assert.deepEqual(cut, { deleteThroughSeq: 2, wholeRecords: 20, cut: { seq: 5, drop: 4 } });
  assert.deepEqual(asked, [5], 'only the straddling batch is read');
  assert.deepEqual(ageCut(batches.slice(0, 2), 1_000, () => 0), { deleteThroughSeq: 2, wholeRecords: 20, cut: null });
});

test('stored batches are read newest first up to the limit, filtered, and trimmed from the front', () => {
  const records: InvocationRecord[] = Array.from({ length: 6 }, (_, i) => toInvocationRecord(finished({ id: `r${i}`, startedAt: 1_000 + i, functionName: i % 2 ? 'cart' : 'checkout' })));
  const stored = meteringBatch(RecordColumns.fromRecords(records)).records.bytes;
  const cart = new RecordCollector({ functionName: 'cart', app: 'shop', limit: 2 });
  assert.equal(cart.add(7, stored), true, 'full, and a third match (r1) follows');
  assert.deepEqual(cart.page().records.map((r) => r.id), ['r5', 'r3']);
  assert.deepEqual(cart.page().next, { batch: 7, fromEnd: 2 }, 'r3 is third from the newest end');
  const rest = new RecordCollector({ functionName: 'cart', app: 'shop', limit: 2, before: { batch: 7, fromEnd: 2 } });
  assert.equal(rest.add(8, stored), false, 'a batch written after the cursor is not read');
  assert.equal(rest.add(7, stored), false);
  assert.deepEqual([rest.page().records.map((r) => r.id), rest.page().next], [['r1'], null]);
  assert.equal(recordsStartedBefore(stored, 1_004), 4);
  const trimmed = withoutFirst(stored, 4);
  assert.deepEqual([trimmed.count, trimmed.oldestStartedAt, trimmed.newestStartedAt], [2, 1_004, 1_005]);
});
