import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cutMessage, linesToStore, overLimits, trimTarget } from '../../src/metering/log-limits.js';
import { DEFAULT_LOG_LIMITS } from '../../src/store/log-store.js';
import { logLine } from './events.js';

test('lines are cut to the message limit and summed per function', () => {
  const limits = { ...DEFAULT_LOG_LIMITS, maxMessageBytes: 20 };
  const { lines, added } = linesToStore([
    logLine({ message: 'short' }),
    logLine({ message: 'x'.repeat(50) }),
    logLine({ functionName: 'cart', message: 'ok' }),
  ], limits);
  assert.deepEqual(lines.map((l) => [l.message, l.bytes]), [['short', 5], ['xxxxxxxxxxx …[cut]', 20], ['ok', 2]]);
  assert.deepEqual(added.map((a) => [a.functionName, a.lines, a.bytes]), [['checkout', 2, 25], ['cart', 1, 2]]);
});

test('a function over either limit is trimmed to 90 % of both', () => {
  const limits = { ...DEFAULT_LOG_LIMITS, maxLinesPerFunction: 10, maxBytesPerFunction: 1_000 };
  assert.equal(overLimits({ lines: 10, bytes: 1_000 }, limits), false);
  assert.equal(overLimits({ lines: 11, bytes: 0 }, limits), true);
  assert.equal(overLimits({ lines: 1, bytes: 1_001 }, limits), true);
  assert.deepEqual(trimTarget(limits), { keepLines: 9, keepBytes: 900 });
  assert.equal(cutMessage('é'.repeat(10), 12), 'é …[cut]');
});
