import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { InstanceSlots, SlotLease, SlotRequest } from '../../../src/cluster/instance-slots.js';
import { InvocationFailure } from '../../../src/runtime/invocation.js';
import { NimbusError } from '../../../src/shared/errors.js';
import { FunctionPool } from '../../../src/runtime/pool/function-pool.js';
import type { Instance } from '../../../src/runtime/pool/instance.js';
import { MemoryBudget } from '../../../src/runtime/pool/memory-budget.js';
import type { WarmPool } from '../../../src/runtime/pool/warm-pool.js';
import type { FunctionSettings } from '../../../src/sdk/settings.js';
import { resolveSettings } from '../../../src/triggers/function-settings.js';
import { FakeClock, settle, waitFor } from '../../helpers/fake-clock.js';
import { fakeInstance } from './fake-instance.js';

/** Slots of a cluster whose other nodes hold `heldElsewhere`; a wait ends after its waitMs on the fake clock, or when the test frees one. */
class ClusterSlots implements InstanceSlots {
  held = 0;
  released = 0;
  readonly #waits: { resolve: (lease: SlotLease | undefined) => void; key: string }[] = [];

  constructor(private readonly clock: FakeClock, public heldElsewhere: number) {}

  acquire(functionKey: string, max: number, request: SlotRequest): Promise<SlotLease | undefined> {
    if (this.held + this.heldElsewhere < max) {
      this.held++;
      return Promise.resolve({ functionKey });
    }
    return new Promise((resolve) => {
      const wait = { resolve, key: functionKey };
      this.#waits.push(wait);
      this.clock.setTimeout(() => {
        const i = this.#waits.indexOf(wait);
        if (i >= 0) this.#waits.splice(i, 1)[0]!.resolve(undefined);
      }, request.waitMs);
    });
  }

  release(): void {
    this.held--;
    this.released++;
  }

  onSlotWanted(): () => void {
    return () => {};
  }

  /** Another node gave a slot back: the first waiting start takes it. */
  freeOneElsewhere(): void {
    this.heldElsewhere--;
    const wait = this.#waits.shift();
    if (wait) {
      this.held++;
      wait.resolve({ functionKey: wait.key });
    }
  }
}

function pool(settings: FunctionSettings, heldElsewhere = 0, take: () => Promise<Instance> = async () => fakeInstance()) {
  const clock = new FakeClock();
  const slots = new ClusterSlots(clock, heldElsewhere);
  const target = { app: 'shop', version: 1, functionName: 'checkout', settings: resolveSettings('http', settings), bundlePath: '/b.mjs', network: 'outbound' as const, env: {} };
  const warmPool = { take } as unknown as WarmPool;
  const p = new FunctionPool(target, warmPool, new MemoryBudget(4096), clock, { makeRoom: () => false, onInstanceStartFailed: () => {} }, slots);
  return { pool: p, clock, slots };
}

describe('a function pool holds one cluster-wide slot per instance', () => {
  test('an instance takes a slot when it starts and gives it back when it is reaped idle', async () => {
    const { pool: p, clock, slots } = pool({ maxInstances: 2, idleTimeoutMs: 1_000 });
    const lease = await p.acquire();
    assert.equal(slots.held, 1);
    p.release(lease.instance);
    await clock.advance(1_000);
    p.stopIdle();
    await waitFor(() => slots.released === 1, 'the slot given back');
    assert.equal(slots.held, 0);
  });

  test('a start that fails gives its slot back: no sandbox, or a bundle that does not load', async () => {
    const noSandbox = pool({ maxInstances: 2 }, 0, async () => { throw new Error('spawn failed'); });
    await assert.rejects(noSandbox.pool.acquire(), (err: unknown) => err instanceof InvocationFailure && /spawn failed/.test(err.message));
    assert.equal(noSandbox.slots.released, 1);
    const broken = (): Instance => Object.assign(fakeInstance(), { load: async () => { throw new Error('SyntaxError in bundle'); } });
    const badBundle = pool({ maxInstances: 2 }, 0, async () => broken());
    // The invocation was handed to the instance behind LOAD; it fails there (the instance's own answer).
    await badBundle.pool.acquire();
    await waitFor(() => badBundle.slots.released === 1, 'the slot given back once the instance exited');
    assert.equal(badBundle.slots.held, 0);
  });

  test('retiring the pool (a new version, undeploy, shutdown) gives back the slots of its idle instances', async () => {
    const { pool: p, slots } = pool({ maxInstances: 3, concurrency: 1 });
    const leases = await Promise.all([p.acquire(), p.acquire()]);
    for (const lease of leases) p.release(lease.instance);
    assert.equal(slots.held, 2);
    p.retire();
    await waitFor(() => slots.held === 0, 'every slot given back');
  });

  test('with every slot held elsewhere, the invocation waits within queueTimeoutMs and gets the usual 429 naming the cluster', async () => {
    const { pool: p, clock } = pool({ maxInstances: 2, queueTimeoutMs: 500 }, 2);
    const waiting = p.acquire();
    waiting.catch(() => {});
    await clock.advance(499);
    let settled = false;
    waiting.then(() => { settled = true; }, () => { settled = true; });
    await settle();
    assert.equal(settled, false, 'still waiting');
    await clock.advance(1);
    await assert.rejects(waiting, (err: unknown) =>
      err instanceof InvocationFailure && err.outcome === 'throttled'
      && /waited 500 ms \(its queueTimeoutMs\) for a free slot.*other nodes of the cluster hold the rest/.test(err.message));
  });

  test('a slot that comes free elsewhere while the invocation waits starts its instance', async () => {
    const { pool: p, clock, slots } = pool({ maxInstances: 2, queueTimeoutMs: 5_000 }, 2);
    const waiting = p.acquire();
    await clock.advance(1_000);
    slots.freeOneElsewhere();
    const lease = await waiting;
    assert.ok(lease.coldStartMs !== null, 'a cold start');
    assert.equal(slots.held, 1);
  });

  test('asked for a slot, the pool stops an idle instance, never a busy one', async () => {
    const { pool: p, slots } = pool({ maxInstances: 2, concurrency: 1 });
    const [busy, idle] = await Promise.all([p.acquire(), p.acquire()]);
    p.release(idle!.instance);
    assert.equal(p.handOff(), true);
    assert.equal(p.handOff(), false, 'the other one is busy');
    await waitFor(() => slots.released === 1, 'the idle one\'s slot given back');
    assert.equal(busy!.instance.state, 'ready');
    assert.equal(idle!.instance.state, 'stopped');
  });

  test('when the slots cannot be read (the database is unreachable), the invocation gets 503 store unavailable, not a crash', async () => {
    const { pool: p, slots } = pool({ maxInstances: 2 });
    slots.acquire = () => Promise.reject(new NimbusError('NIMBUS_ERR_STORE_UNAVAILABLE', 'connect ECONNREFUSED', { reason: 'unreachable' }));
    await assert.rejects(p.acquire(), (err: unknown) =>
      err instanceof InvocationFailure && err.code === 'NIMBUS_ERR_STORE_UNAVAILABLE' && /ECONNREFUSED/.test(err.message));
    assert.equal(slots.held, 0);
  });
});
