import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BudgetRegistry, BudgetWaitEnded } from '../../src/budgets/budget-registry.js';
import type { BudgetHold } from '../../src/budgets/budget-hold.js';
import { FakeClock, settle } from '../helpers/fake-clock.js';
import { budget, MemoryBudgetStore } from './memory-budget-store.js';

const quiet = { info() {}, warn() {} };

async function registryWith(...settings: ReturnType<typeof budget>[]): Promise<{ registry: BudgetRegistry; clock: FakeClock; store: MemoryBudgetStore }> {
  const clock = new FakeClock();
  const store = new MemoryBudgetStore(() => clock.now());
  for (const s of settings) await store.put(s);
  const registry = new BudgetRegistry(store, clock, quiet);
  await registry.load();
  return { registry, clock, store };
}

const fn = (owner: string, priority = 0) => ({ owner, priority });

test('at most `concurrency` holders; the next waiter gets the permit when one is released', async () => {
  const { registry, clock } = await registryWith(budget('db', 2));
  const a = registry.tryAcquire(['db'])!;
  const b = registry.tryAcquire(['db'])!;
  assert.ok(a && b);
  assert.equal(registry.tryAcquire(['db']), null);
  const got: { third?: BudgetHold } = {};
  void registry.acquire(['db'], fn('app/f')).then((h) => (got.third = h));
  await settle();
  assert.equal(got.third, undefined);
  assert.deepEqual(registry.states(), [{ name: 'db', limit: 2, inUse: 2, waiting: 1, throttled: 0 }]);
  await clock.advance(40);
  a.release(clock.monotonic(), true);
  await settle();
  const third = got.third as BudgetHold | undefined;
  assert.ok(third);
  assert.equal(third.waitedMs, 40);
  assert.equal(registry.limiter('db')!.inUse, 2);
  a.release(clock.monotonic(), true); // a second release does nothing
  assert.equal(registry.limiter('db')!.inUse, 2);
  b.release(clock.monotonic(), true);
  third.release(clock.monotonic(), false);
  assert.equal(registry.limiter('db')!.inUse, 0);
});

test('names that are not budgets limit nothing', async () => {
  const { registry } = await registryWith(budget('db', 1));
  const holds = [registry.tryAcquire(['gone']), registry.tryAcquire(['gone'])];
  assert.ok(holds.every((h) => h !== null && h.limiters.length === 0));
  const both = registry.tryAcquire(['db', 'gone'])!;
  assert.equal(both.limiters.length, 1);
  assert.equal(registry.tryAcquire(['db']), null);
});

test('waiters are served fairly across functions: a hot function cannot starve another', async () => {
  const { registry, clock } = await registryWith(budget('db', 1));
  const first = registry.tryAcquire(['db'])!;
  const served: string[] = [];
  const holds: BudgetHold[] = [];
  const ask = (owner: string, priority = 0) => void registry.acquire(['db'], fn(owner, priority)).then((h) => { served.push(owner); holds.push(h); });
  for (let i = 0; i < 6; i++) ask('app/hot');
  ask('app/cold');
  ask('app/cold');
  await settle();
  first.release(clock.monotonic(), true);
  for (let i = 0; i < 8; i++) {
    await settle();
    holds.shift()?.release(clock.monotonic(), true);
  }
  await settle();
  assert.equal(served.length, 8);
  assert.deepEqual(served.slice(0, 4).sort(), ['app/cold', 'app/cold', 'app/hot', 'app/hot']);
});

test('a higher budgetPriority is served before earlier waiters of lower priority', async () => {
  const { registry, clock } = await registryWith(budget('db', 1));
  const first = registry.tryAcquire(['db'])!;
  const served: string[] = [];
  const holds: BudgetHold[] = [];
  const ask = (owner: string, priority: number) => void registry.acquire(['db'], fn(owner, priority)).then((h) => { served.push(owner); holds.push(h); });
  ask('app/batch', -10);
  ask('app/normal', 0);
  ask('app/checkout', 50);
  await settle();
  first.release(clock.monotonic(), true);
  for (let i = 0; i < 3; i++) {
    await settle();
    holds.shift()?.release(clock.monotonic(), true);
  }
  assert.deepEqual(served, ['app/checkout', 'app/normal', 'app/batch']);
});

test('the token bucket allows a burst, then `perSecond` starts a second, waking waiters on time', async () => {
  const { registry, clock } = await registryWith(budget('api', 100, { rate: { perSecond: 10, burst: 3 } }));
  for (let i = 0; i < 3; i++) registry.tryAcquire(['api'])!.release(clock.monotonic(), true);
  assert.equal(registry.tryAcquire(['api']), null, 'the burst is spent');
  const startedAt: number[] = [];
  for (let i = 0; i < 3; i++) void registry.acquire(['api'], fn('app/f')).then((h) => { startedAt.push(clock.monotonic()); h.release(clock.monotonic(), true); });
  await clock.advance(1000);
  assert.deepEqual(startedAt, [100, 200, 300]);
  await clock.advance(1000);
  for (let i = 0; i < 3; i++) assert.ok(registry.tryAcquire(['api']), 'the bucket refilled to its burst');
  assert.equal(registry.tryAcquire(['api']), null);
});

test('a wait with a timeout ends with BudgetWaitEnded naming the budget, counted as throttled, holding nothing', async () => {
  const { registry, clock } = await registryWith(budget('db', 1));
  const held = registry.tryAcquire(['db'])!;
  const result = registry.acquire(['db'], fn('app/web'), { timeoutMs: 250 }).then(() => 'granted', (e: unknown) => e);
  await clock.advance(249);
  assert.equal(registry.limiter('db')!.waiting, 1);
  await clock.advance(1);
  const error = await result;
  assert.ok(error instanceof BudgetWaitEnded);
  assert.equal(error.budget, 'db');
  assert.equal(error.reason, 'timeout');
  assert.match(error.message, /budget "db" had no free permit within 250 ms/);
  assert.deepEqual(registry.states()[0], { name: 'db', limit: 1, inUse: 1, waiting: 0, throttled: 1 });
  held.release(clock.monotonic(), true);
  assert.equal(registry.limiter('db')!.inUse, 0);
});

test('aborting a wait takes the waiter out and leaves no permit taken', async () => {
  const { registry, clock } = await registryWith(budget('db', 1), budget('q', 1));
  const held = registry.tryAcquire(['q'])!;
  const abort = new AbortController();
  const result = registry.acquire(['db', 'q'], fn('app/f'), { signal: abort.signal }).then(() => 'granted', (e: unknown) => e);
  await settle();
  abort.abort();
  const error = await result;
  assert.ok(error instanceof BudgetWaitEnded && error.reason === 'aborted');
  assert.equal(registry.limiter('db')!.inUse, 0, 'nothing of the first budget is kept');
  assert.equal(registry.limiter('q')!.waiting, 0);
  held.release(clock.monotonic(), true);
});

test('several budgets: none is held idle while the first busy one is awaited, and two functions cannot deadlock', async () => {
  const { registry, clock } = await registryWith(budget('a', 1), budget('b', 1));
  const bHolder = registry.tryAcquire(['b'])!;
  const got: { both?: BudgetHold } = {};
  void registry.acquire(['a', 'b'], fn('app/both')).then((h) => (got.both = h));
  await settle();
  // Waiting for b, the function does not sit on a: another function can use a meanwhile.
  assert.equal(registry.limiter('a')!.inUse, 0);
  const aUser = registry.tryAcquire(['a'])!;
  assert.ok(aUser);
  bHolder.release(clock.monotonic(), true);
  await settle();
  // Holding b now, a is busy: b is given back and a is awaited (an earlier name), holding nothing.
  assert.equal(got.both, undefined);
  assert.equal(registry.limiter('b')!.inUse, 0);
  aUser.release(clock.monotonic(), true);
  await settle();
  const both = got.both as BudgetHold | undefined;
  assert.ok(both, 'granted once both were free');
  assert.equal(registry.limiter('a')!.inUse, 1);
  assert.equal(registry.limiter('b')!.inUse, 1);
  both.release(clock.monotonic(), true);

  // Many functions wanting both budgets, in both orders of arrival, all finish.
  let done = 0;
  const runs: Promise<void>[] = [];
  for (let i = 0; i < 20; i++) {
    const names = i % 3 === 0 ? ['a'] : i % 3 === 1 ? ['b'] : ['a', 'b'];
    runs.push(registry.acquire(names, fn(`app/f${i % 4}`)).then(async (h) => {
      await clock.advance(1);
      h.release(clock.monotonic(), true);
      done++;
    }));
  }
  await Promise.all(runs);
  assert.equal(done, 20);
  assert.equal(registry.limiter('a')!.inUse + registry.limiter('b')!.inUse, 0);
});

test('budget changes take effect in place: a higher limit lets waiters in, removal lifts the limit', async () => {
  const { registry, store, clock } = await registryWith(budget('db', 1));
  const held = registry.tryAcquire(['db'])!;
  let granted = 0;
  void registry.acquire(['db'], fn('app/f')).then(() => granted++);
  void registry.acquire(['db'], fn('app/f')).then(() => granted++);
  void registry.acquire(['db', 'other'], fn('app/g')).then(() => granted++);
  await settle();
  await store.put(budget('db', 2));
  await registry.changed('db');
  await settle();
  assert.equal(granted, 1);
  await store.remove('db');
  await registry.changed('db');
  await settle();
  assert.equal(granted, 3, 'waiters go on without a removed budget');
  assert.deepEqual(registry.states(), []);
  held.release(clock.monotonic(), true);
});

test('close() stops every waiter', async () => {
  const { registry } = await registryWith(budget('db', 1));
  registry.tryAcquire(['db']);
  const result = registry.acquire(['db'], fn('app/f')).then(() => 'granted', (e: unknown) => (e as BudgetWaitEnded).reason);
  await settle();
  registry.close();
  assert.equal(await result, 'aborted');
});
