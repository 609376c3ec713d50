import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CostBoundedCache } from '../../src/shared/cost-bounded-cache.js';

/** A computation that "takes" `costMs` on a hand-moved clock and counts its runs. */
function setUp(costMs: number) {
  let now = 0;
  let runs = 0;
  const cache = new CostBoundedCache(async () => {
    runs++;
    now += costMs;
    return runs;
  }, { share: 0.05, reuseFromMs: 50, now: () => now });
  return { cache, runs: () => runs, advance: (ms: number) => { now += ms; } };
}

test('a cheap answer is computed on every read: small data stays exact', async () => {
  const { cache, runs } = setUp(1);
  assert.equal(await cache.read(), 1);
  assert.equal(await cache.read(), 2);
  assert.equal(runs(), 2);
});

test('an answer that took d ms is reused for d / share ms, then computed again', async () => {
  const { cache, runs, advance } = setUp(100);
  assert.equal(await cache.read(), 1);
  advance(1_999);
  assert.equal(await cache.read(), 1, 'reused within 100 ms / 5 % = 2 s');
  advance(1);
  assert.equal(await cache.read(), 2);
  assert.equal(runs(), 2);
});

test('invalidate makes the next read compute, and a computation overtaken by it is not kept', async () => {
  const { cache, runs } = setUp(100);
  await cache.read();
  cache.invalidate();
  assert.equal(await cache.read(), 2);
  assert.equal(await cache.read(), 2, 'kept: it took 100 ms');
  cache.invalidate();
  const overtaken = cache.read();
  cache.invalidate();
  assert.equal(await overtaken, 3, 'its own reader gets the value it was computing');
  assert.equal(await cache.read(), 4, 'the overtaken answer was not kept');
  assert.equal(runs(), 4);
});

test('concurrent reads share one computation', async () => {
  const { cache, runs } = setUp(1);
  const answers = await Promise.all([cache.read(), cache.read(), cache.read()]);
  assert.deepEqual(answers, [1, 1, 1]);
  assert.equal(runs(), 1);
});
