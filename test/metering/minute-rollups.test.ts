import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fromRollupRow, fromUsageRow, minuteRollups, toRollupRow } from '../../src/metering/minute-rollups.js';
import { toInvocationRecord } from '../../src/metering/invocation-record.js';
import { RecordColumns, SMALL } from '../../src/metering/record-columns.js';
import { finished } from './events.js';

const T0 = Date.UTC(2026, 0, 15, 12, 0, 0);

test('a batch is summed per function and minute with the billing arithmetic of its records', () => {
  const records = [
    finished({ startedAt: T0 + 1_000, durationMs: 10.2, coldStartMs: 30, cpuMicros: 1_500, memoryMb: 256 }),
    finished({ startedAt: T0 + 59_999, durationMs: 20, outcome: 'error', memoryMb: 256 }),
    finished({ startedAt: T0 + 5_000, durationMs: 3, outcome: 'throttled', memoryMb: 256 }),
    finished({ startedAt: T0 + 60_000, durationMs: 1, memoryMb: 256 }),
    finished({ startedAt: T0 + 2_000, functionName: 'cart', durationMs: 1 }),
  ].map(toInvocationRecord);
  const rollups = minuteRollups(RecordColumns.fromRecords(records));
  assert.deepEqual(rollups.map((r) => [r.functionName, r.minute - T0, r.invocations]), [['checkout', 0, 3], ['checkout', 60_000, 1], ['cart', 0, 1]]);
  const first = rollups[0]!;
  assert.deepEqual(first.errorsByOutcome, { error: 1, throttled: 1 });
  assert.equal(first.coldStarts, 1);
  // Each record's billed time and GB-seconds, summed: the throttled one is billed nothing.
  assert.equal(first.billedMs, records.slice(0, 3).reduce((n, r) => n + r.billedMs, 0));
  assert.equal(first.billedMs, 11 + 20);
  assert.equal(first.gbSeconds, records.slice(0, 3).reduce((n, r) => n + r.gbSeconds, 0));
  assert.equal(first.durationMaxMs, 20);
});

test('a damaged record (an unknown outcome code) fails the whole batch', () => {
  const columns = RecordColumns.fromRecords([toInvocationRecord(finished()), toInvocationRecord(finished())]);
  columns.small[SMALL + 1] = 99;
  assert.throws(() => minuteRollups(columns), /unknown invocation outcome code 99/);
});

test('a roll-up survives its SQL row layout; usage folds every failing outcome into errors', () => {
  const [rollup] = minuteRollups(RecordColumns.fromRecords([
    toInvocationRecord(finished({ outcome: 'timeout' })),
    toInvocationRecord(finished({ outcome: 'crashed' })),
    toInvocationRecord(finished()),
  ]));
  assert.deepEqual(fromRollupRow(toRollupRow(rollup!)), rollup);
  const { minute: _minute, ...row } = toRollupRow(rollup!);
  const usage = fromUsageRow({ ...row, throttled: 2, invocations: 5, period: null });
  assert.deepEqual([usage.invocations, usage.errors, usage.throttled, usage.app, usage.periodStart], [5, 4, 2, 'shop', null]);
});
