import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { InstanceSlots, SlotLease } from '../../src/cluster/instance-slots.js';
import { Dispatcher, DEFAULT_DISPATCHER_OPTIONS } from '../../src/runtime/dispatcher.js';
import { InvocationLifecycle } from '../../src/runtime/lifecycle.js';
import type { WarmPool } from '../../src/runtime/pool/warm-pool.js';
import { resolveSettings } from '../../src/triggers/function-settings.js';
import { FakeClock, waitFor } from '../helpers/fake-clock.js';
import { fakeInstance } from './pool/fake-instance.js';

/** Grants every slot and counts them per function; `want` plays another node asking for one. */
class CountingSlots implements InstanceSlots {
  readonly held = new Map<string, number>();
  readonly #wanted = new Set<(key: string) => void>();

  acquire(functionKey: string): SlotLease {
    this.held.set(functionKey, (this.held.get(functionKey) ?? 0) + 1);
    return { functionKey };
  }

  release(lease: SlotLease): void {
    this.held.set(lease.functionKey, (this.held.get(lease.functionKey) ?? 0) - 1);
  }

  onSlotWanted(handler: (key: string) => void): () => void {
    this.#wanted.add(handler);
    return () => this.#wanted.delete(handler);
  }

  want(key: string): void {
    for (const handler of this.#wanted) handler(key);
  }
}

test('a node asked for a slot of a function version stops one idle instance of that version; shutdown gives back the rest', async () => {
  const slots = new CountingSlots();
  // v1 keeps two instances warm; v2 keeps none, so its prestarted instances are idle and may be handed over.
  const settings = { 1: resolveSettings('http', { minInstances: 2, maxInstances: 4 }), 2: resolveSettings('http', { maxInstances: 4 }) };
  const resolver = {
    liveVersion: () => 2,
    target: async (app: string, version: number, functionName: string) => ({
      app, version, functionName, settings: settings[version as 1 | 2], bundlePath: '/b.mjs', network: 'outbound' as const, env: {},
    }),
  };
  const warmPool = { take: async () => fakeInstance(), stats: () => [] } as unknown as WarmPool;
  const dispatcher = new Dispatcher(resolver, warmPool, new InvocationLifecycle(), new FakeClock(), DEFAULT_DISPATCHER_OPTIONS, slots);

  await dispatcher.warm('shop', 1, ['checkout']);
  await waitFor(() => slots.held.get('shop/checkout@1') === 2, 'v1 at its minimum');
  slots.want('shop/checkout@1');
  assert.equal(slots.held.get('shop/checkout@1'), 2, 'minInstances are never handed over');

  await dispatcher.prestart('shop', 2, ['checkout'], 5_000);
  assert.equal(slots.held.get('shop/checkout@2'), 2, 'prestarted instances take slots too');
  dispatcher.retire('shop', 2);
  await waitFor(() => slots.held.get('shop/checkout@1') === 0, 'the retired version\'s slots given back');

  slots.want('shop/checkout@2');
  await waitFor(() => slots.held.get('shop/checkout@2') === 1, 'one idle instance handed over');
  await dispatcher.close(0);
  assert.equal(slots.held.get('shop/checkout@2'), 0, 'shutdown gives back every slot');
});
