import { test } from 'node:test';
import assert from 'node:assert/strict';
import { billedMilliseconds, gigabyteSeconds, toInvocationRecord } from '../../src/metering/invocation-record.js';
import { finished } from './events.js';

test('billed time is the duration rounded up to the next whole millisecond, never below it', () => {
  for (const durationMs of [0.01, 0.5, 1, 1.0001, 2.4, 99.99, 100, 1234.5678]) {
    const billed = billedMilliseconds(durationMs, 'ok');
    assert.ok(billed >= durationMs, `${billed} < ${durationMs}`);
    assert.ok(billed - durationMs < 1, `${billed} overbills ${durationMs}`);
    assert.equal(billed, Math.max(1, Math.ceil(durationMs)));
    assert.ok(Number.isInteger(billed));
  }
  assert.equal(billedMilliseconds(2.4, 'ok'), 3);
  assert.equal(billedMilliseconds(0, 'crashed'), 1, 'anything that ran bills at least 1 ms');
  assert.equal(billedMilliseconds(0, 'throttled'), 0, 'a throttled invocation never ran');
});

test('GB-seconds are configured memory in GB times billed seconds', () => {
  assert.equal(gigabyteSeconds(1024, 1000), 1);
  assert.equal(gigabyteSeconds(128, 100), 0.0125);
  assert.equal(gigabyteSeconds(512, 3), 0.5 * 0.003);
});

test('a record carries the billing figures and converts CPU µs to ms', () => {
  const record = toInvocationRecord(
    finished({ id: 'a', memoryMb: 256, durationMs: 41.2, cpuMicros: 12_345, coldStartMs: 7.5, error: 'boom', outcome: 'error' }),
  );
  assert.equal(record.billedMs, 42);
  assert.equal(record.gbSeconds, 0.25 * 0.042);
  assert.equal(record.cpuMs, 12.345);
  assert.equal(record.coldStart, true);
  assert.equal(record.coldStartMs, 7.5);
  assert.equal(record.outcome, 'error');
  assert.equal(record.error, 'boom');
  const warm = toInvocationRecord(finished());
  assert.equal(warm.coldStart, false);
  assert.equal(warm.coldStartMs, null);
  assert.equal(warm.error, null);
});
