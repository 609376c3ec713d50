import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { InvocationFailure } from '../../../src/runtime/invocation.js';
import { FunctionPool } from '../../../src/runtime/pool/function-pool.js';
import type { Instance } from '../../../src/runtime/pool/instance.js';
import { MemoryBudget } from '../../../src/runtime/pool/memory-budget.js';
import type { WarmPool } from '../../../src/runtime/pool/warm-pool.js';
import type { FunctionSettings } from '../../../src/sdk/settings.js';
import { resolveSettings } from '../../../src/triggers/function-settings.js';
import { FakeClock, settle } from '../../helpers/fake-clock.js';
import { fakeInstance } from './fake-instance.js';

function pool(settings: FunctionSettings, budgetMb = 4096) {
  const clock = new FakeClock();
  const starts: (() => void)[] = [];
  const warmPool = {
    take: () => new Promise<Instance>((resolve) => starts.push(() => resolve(fakeInstance()))),
  } as unknown as WarmPool;
  const target = { app: 'shop', version: 1, functionName: 'checkout', settings: resolveSettings('http', settings), bundlePath: '/b.mjs', network: 'outbound' as const, env: {} };
  const p = new FunctionPool(target, warmPool, new MemoryBudget(budgetMb), clock, { makeRoom: () => false, onInstanceStartFailed: () => {} });
  return { pool: p, clock, startNext: () => starts.shift()!() };
}

/** Settles a promise that should already be settled, or says it is still pending. */
async function state<T>(promise: Promise<T>): Promise<{ value: T } | { error: unknown } | 'pending'> {
  let result: { value: T } | { error: unknown } | 'pending' = 'pending';
  promise.then((value) => { result = { value }; }, (error: unknown) => { result = { error }; });
  await settle();
  return result;
}

async function throttledWith(promise: Promise<unknown>, message: RegExp): Promise<void> {
  const settled = await state(promise);
  assert.ok(settled !== 'pending' && 'error' in settled, 'refused');
  assert.ok(settled.error instanceof InvocationFailure);
  assert.equal(settled.error.outcome, 'throttled');
  assert.match(settled.error.message, message);
}

describe('a function pool refuses work with a message saying what happened', () => {
  test('queueTimeoutMs 0: a cold start still waits for its instance; at the cap nothing waits', async () => {
    const { pool: p, startNext } = pool({ maxInstances: 1, concurrency: 1, queueTimeoutMs: 0 });
    const first = p.acquire();
    assert.equal(await state(first), 'pending', 'waiting for the instance it started');
    startNext();
    const lease = await first;
    assert.ok(lease.coldStartMs !== null);
    await throttledWith(p.acquire(), /shop\/checkout it is at its cap of 1 instance\(s\) × 1, all busy, and its queueTimeoutMs is 0, so nothing waits for a slot/);
  });

  test('queueTimeoutMs 0 below the cap, with no memory for another instance, says so', async () => {
    const { pool: p } = pool({ maxInstances: 5, memoryMb: 256, queueTimeoutMs: 0 }, 128);
    await throttledWith(p.acquire(), /runs 0 of its 5 instance\(s\) and the node has no memory for another \(memoryMb 256\).*queueTimeoutMs is 0/);
  });

  test('a wait for a slot that ends names queueTimeoutMs and the cap', async () => {
    const { pool: p, clock, startNext } = pool({ maxInstances: 1, concurrency: 1, queueTimeoutMs: 200 });
    const first = p.acquire();
    startNext();
    await first;
    const second = p.acquire();
    await clock.advance(199);
    assert.equal(await state(second), 'pending');
    await clock.advance(1);
    await throttledWith(second, /waited 200 ms \(its queueTimeoutMs\) for a free slot and none came free: it is at its cap of 1 instance\(s\) × 1, all busy/);
  });

  test('a cold start slower than queueTimeoutMs says the instance was not ready', async () => {
    const { pool: p, clock } = pool({ maxInstances: 1, queueTimeoutMs: 100 });
    const first = p.acquire();
    first.catch(() => {});
    await clock.advance(100);
    await throttledWith(first, /waited 100 ms for a new instance to start and none was ready/);
  });

  test('a full wait queue says so, with its queueLimit', async () => {
    const { pool: p, startNext } = pool({ maxInstances: 1, concurrency: 1, queueLimit: 0 });
    const first = p.acquire();
    startNext();
    await first;
    await throttledWith(p.acquire(), /is at its cap of 1 instance\(s\) × 1 and its wait queue is full \(queueLimit 0\)/);
  });
});

describe('tryAcquire: a lease without waiting', () => {
  test('leases a ready instance with room at once, and is null when acquire() would have to wait', async () => {
    const { pool: p, startNext } = pool({ maxInstances: 1, concurrency: 2 });
    assert.equal(p.tryAcquire(), null, 'nothing runs yet: no lease, and no instance started for it');
    assert.equal(p.size, 0);
    const cold = p.acquire();
    startNext();
    const first = await cold;
    const second = p.tryAcquire();
    assert.ok(second, 'the instance has room for a second invocation');
    assert.equal(second.instance, first.instance);
    assert.equal(second.coldStartMs, null);
    assert.equal(p.inflight, 2);
    assert.equal(p.tryAcquire(), null, 'at its concurrency: no lease');
    p.release(second.instance);
    assert.ok(p.tryAcquire(), 'a released slot is leased again');
  });
});
