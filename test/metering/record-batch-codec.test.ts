import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeBatch, encodeBatch } from '../../src/metering/record-batch-codec.js';
import { RecordColumns } from '../../src/metering/record-columns.js';
import { toInvocationRecord } from '../../src/metering/invocation-record.js';
import type { InvocationRecord } from '../../src/store/metering-store.js';
import { finished, variedFinished } from './events.js';

function variedRecords(count: number): InvocationRecord[] {
  return Array.from({ length: count }, (_, i) => toInvocationRecord(variedFinished(i)));
}

test('a batch comes back from its bytes exactly: ids of any shape, errors, cold starts, fractional times', () => {
  const records = variedRecords(300);
  const encoded = encodeBatch(RecordColumns.fromRecords(records));
  assert.equal(encoded.count, 300);
  assert.equal(encoded.oldestStartedAt, records[0]!.startedAt);
  assert.equal(encoded.newestStartedAt, records.at(-1)!.startedAt);
  assert.deepEqual(encoded.functions.split('\n').filter(Boolean).sort(), ['blog\tcart', 'blog\tfeed', 'shop\tcart', 'shop\tfeed']);
  assert.deepEqual(decodeBatch(encoded.bytes).toRecords(), records);
});

test('a sliced batch keeps the later records and their asides, renumbered', () => {
  const records = variedRecords(40);
  const sliced = decodeBatch(encodeBatch(RecordColumns.fromRecords(records).slice(26)).bytes);
  assert.deepEqual(sliced.toRecords(), records.slice(26));
});

test('a batch in the earlier JSON layout still decodes', () => {
  const json = JSON.stringify({
    f: [['shop', 'cart', 3, 'http', 256]],
    r: [
      [0, 'a', 1000, 1001, 2.5, 3, 0.75, 1e6, null, 'ok', null],
      [0, 'b', 1002, 1003, 10, 10, 9, 2e6, 4.5, 'timeout', 'slow'],
    ],
  });
  const records = decodeBatch(json).toRecords();
  assert.deepEqual(records.map((r) => [r.id, r.app, r.functionName, r.version, r.billedMs, r.gbSeconds, r.cpuMs, r.coldStart, r.outcome, r.error]), [
    ['a', 'shop', 'cart', 3, 3, (256 / 1024) * (3 / 1000), 0.75, false, 'ok', null],
    ['b', 'shop', 'cart', 3, 10, (256 / 1024) * (10 / 1000), 9, true, 'timeout', 'slow'],
  ]);
});

test('unknown outcomes and formats are refused, not stored or read as something else', () => {
  const bad = { ...toInvocationRecord(finished()), outcome: 'exploded' } as unknown as InvocationRecord;
  assert.throws(() => RecordColumns.fromRecords([bad]), /unknown invocation outcome "exploded"/);
  const bytes = encodeBatch(RecordColumns.fromRecords([toInvocationRecord(finished())])).bytes;
  bytes[0] = 7;
  assert.throws(() => decodeBatch(bytes), /unknown record batch format 7/);
});

test('budget waits come back from the bytes of a batch; records that did not wait read 0 and add nothing to the head', () => {
  const records = [0, 12.5, 0, 3000].map((budgetWaitMs, i) => toInvocationRecord({ ...variedFinished(i), error: undefined, budgetWaitMs }));
  const plain = records.map((r) => ({ ...r, budgetWaitMs: 0 }));
  const encoded = encodeBatch(RecordColumns.fromRecords(records));
  assert.deepEqual(decodeBatch(encoded.bytes).toRecords().map((r) => r.budgetWaitMs), [0, 12.5, 0, 3000]);
  assert.deepEqual(decodeBatch(encoded.bytes).toRecords(), records);
  // Only waits (and long ids, errors) are kept aside: a batch without any is as large as before budgets.
  assert.ok(encodeBatch(RecordColumns.fromRecords(plain)).bytes.length < encoded.bytes.length);
  // The wait is not billed: billed time follows the handler's duration alone.
  assert.deepEqual(records.map((r) => r.billedMs), plain.map((r) => r.billedMs));
});
