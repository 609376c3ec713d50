import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clampTimerDelay, MAX_TIMER_DELAY_MS, systemClock } from '../../src/shared/clock.js';

test('a delay past what Node timers hold is clamped to the longest they do, not collapsed to 1 ms', () => {
  assert.equal(clampTimerDelay(1e12), MAX_TIMER_DELAY_MS);
  assert.equal(clampTimerDelay(Infinity), MAX_TIMER_DELAY_MS);
  assert.equal(clampTimerDelay(Number.NaN), MAX_TIMER_DELAY_MS);
  assert.equal(clampTimerDelay(-5), 0);
  assert.equal(clampTimerDelay(1_500), 1_500);
});

test('the system clock never hands Node an overflowing delay (Node would warn and fire after 1 ms)', async () => {
  const warnings: string[] = [];
  const onWarning = (warning: Error) => warnings.push(warning.name);
  process.on('warning', onWarning);
  let fired = false;
  const handle = systemClock.setTimeout(() => { fired = true; }, 1e12);
  // Node reports an overflow on the next tick and would fire after 1 ms: give both a chance.
  await new Promise((resolve) => setTimeout(resolve, 20));
  systemClock.clearTimeout(handle);
  process.off('warning', onWarning);
  assert.equal(fired, false);
  assert.deepEqual(warnings.filter((name) => name === 'TimeoutOverflowWarning'), []);
});
