import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AdaptiveLimit, MIN_WINDOW_SAMPLES } from '../../src/budgets/adaptive-limit.js';
import { BudgetRegistry } from '../../src/budgets/budget-registry.js';
import { FakeClock, settle } from '../helpers/fake-clock.js';
import { budget, MemoryBudgetStore } from './memory-budget-store.js';

/** Feeds `n` samples of `ms` at the current limit (as a saturated downstream would see). */
function feed(limit: AdaptiveLimit, n: number, ms: number, ok = true): void {
  for (let i = 0; i < n; i++) limit.record(ms, ok, limit.limit);
}

test('starts at max, learns a baseline, falls when latency rises past it, rises back on recovery', () => {
  const adaptive = new AdaptiveLimit({ min: 2, max: 20 });
  assert.equal(adaptive.limit, 20);
  feed(adaptive, 40, 10);
  assert.equal(adaptive.limit, 20);
  assert.equal(adaptive.baselineMs, 10);
  feed(adaptive, 60, 50); // five times slower
  const fallen = adaptive.limit;
  assert.ok(fallen < 10, `limit ${fallen} should have fallen well below 20`);
  feed(adaptive, 400, 10);
  assert.ok(adaptive.limit > fallen + 5, `limit ${adaptive.limit} should have grown back from ${fallen}`);
  assert.equal(adaptive.limit, 20);
});

test('errors cut the limit once per window, never below min', () => {
  const adaptive = new AdaptiveLimit({ min: 3, max: 16 });
  feed(adaptive, 16, 5);
  const change = adaptive.record(5, false, 16);
  assert.deepEqual(change && { from: change.from, to: change.to }, { from: 16, to: 12 });
  assert.match(change!.reason, /failed/);
  // The rest of the same burst does not cut again.
  for (let i = 0; i < 5; i++) assert.equal(adaptive.record(5, false, 12), null);
  assert.equal(adaptive.limit, 12);
  feed(adaptive, 200, 5, false);
  assert.equal(adaptive.limit, 3);
});

test('the limit does not grow while nobody uses it', () => {
  const adaptive = new AdaptiveLimit({ min: 1, max: 50 });
  feed(adaptive, 20, 5, false);
  const low = adaptive.limit;
  for (let i = 0; i < 200; i++) adaptive.record(5, true, 1);
  assert.equal(adaptive.limit, low);
});

test('new bounds clamp the limit', () => {
  const adaptive = new AdaptiveLimit({ min: 1, max: 30 });
  const change = adaptive.configure({ min: 1, max: 10 });
  assert.equal(change?.to, 10);
  assert.equal(adaptive.limit, 10);
  assert.ok(MIN_WINDOW_SAMPLES > 1);
});

test('through the registry: each change is logged with its reason, and the new limit gates holders', async () => {
  const clock = new FakeClock();
  const store = new MemoryBudgetStore(() => clock.now());
  await store.put(budget('api', 8, { adaptive: { min: 1, max: 8 } }));
  const logged: { level: string; details: { budget: string; from: number; to: number; reason: string } }[] = [];
  const log = {
    info: (details: object) => logged.push({ level: 'info', details: details as never }),
    warn: (details: object) => logged.push({ level: 'warn', details: details as never }),
  };
  const registry = new BudgetRegistry(store, clock, log);
  await registry.load();
  // Eight at once, all failing: one cut, to 6.
  const holds = Array.from({ length: 8 }, () => registry.tryAcquire(['api'])!);
  await clock.advance(30);
  for (const h of holds) h.release(clock.monotonic(), false);
  assert.equal(registry.states()[0]!.limit, 6);
  assert.equal(logged.length, 1);
  assert.equal(logged[0]!.level, 'warn');
  assert.deepEqual({ ...logged[0]!.details, reason: undefined }, { budget: 'api', from: 8, to: 6, reason: undefined });
  assert.match(logged[0]!.details.reason, /failed/);
  const six = Array.from({ length: 7 }, () => registry.tryAcquire(['api']));
  assert.equal(six.filter(Boolean).length, 6);
  for (const h of six) h?.release(clock.monotonic(), true);
  await settle();
});
