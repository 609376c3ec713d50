import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { Dispatcher, DEFAULT_DISPATCHER_OPTIONS } from '../../src/runtime/dispatcher.js';
import { InvocationLifecycle, type InvocationEnd } from '../../src/runtime/lifecycle.js';
import type { Instance } from '../../src/runtime/pool/instance.js';
import type { WarmPool } from '../../src/runtime/pool/warm-pool.js';
import { resolveSettings } from '../../src/triggers/function-settings.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { fakeInstance } from './pool/fake-instance.js';

/**
 * A fake instance that answers every invocation at once, having used 7 µs of
 * CPU, and exits the moment it is killed: closing the dispatcher then takes
 * no turn of the event loop.
 */
function answeringInstance(): Instance {
  const instance = fakeInstance();
  return Object.assign(instance, {
    exited: Promise.resolve(),
    kill(this: { state: string }) { this.state = 'stopped'; },
    invoke: () => ({
      response: Promise.resolve({ status: 200, headers: [], body: Buffer.from('ok') }),
      done: Promise.resolve({ cpuMicros: 7, waitedMs: 0 }),
    }),
  });
}

function setup() {
  const resolver = {
    liveVersion: () => 1,
    target: async (app: string, version: number, functionName: string) => ({
      app, version, functionName, settings: resolveSettings('http', { concurrency: 8 }), bundlePath: '/b.mjs', network: 'outbound' as const, env: {},
    }),
  };
  const warmPool = { take: async () => answeringInstance(), stats: () => [] } as unknown as WarmPool;
  const lifecycle = new InvocationLifecycle();
  const finished: InvocationEnd[] = [];
  lifecycle.on('finished', (end) => finished.push(end));
  const dispatcher = new Dispatcher(resolver, warmPool, lifecycle, new FakeClock(), DEFAULT_DISPATCHER_OPTIONS);
  const dispatch = (id: string) => dispatcher.dispatch({ id, app: 'shop', functionName: 'cart', trigger: 'http', head: {}, body: new Uint8Array(0) });
  return { dispatcher, lifecycle, finished, dispatch };
}

test('an invocation is metered after its caller has the answer, and the ends of one turn are reported together', async () => {
  const { dispatcher, lifecycle, finished, dispatch } = setup();
  await dispatch('warm-up');
  await nextTurn();
  finished.length = 0;

  const answered = await Promise.all([dispatch('a'), dispatch('b'), dispatch('c')]);
  assert.deepEqual(answered.map((r) => r.status), [200, 200, 200]);
  assert.equal(finished.length, 0, 'the callers had their answers before anything was metered');
  // Microtasks run between two setImmediate callbacks: one queued at the first report sees them all only if they
  // were reported in one callback.
  let seenAfterFirst: number | null = null;
  const off = lifecycle.on('finished', () => {
    if (seenAfterFirst !== null) return;
    seenAfterFirst = 0;
    queueMicrotask(() => { seenAfterFirst = finished.length; });
  });
  await nextTurn();
  off();
  assert.deepEqual(finished.map((end) => [end.id, end.outcome, end.cpuMicros]), [['a', 'ok', 7], ['b', 'ok', 7], ['c', 'ok', 7]]);
  assert.equal(seenAfterFirst, 3, 'the three ends were reported together');
  await dispatcher.close(0);
});

test('ends still waiting to be reported when the node closes are reported by close()', async () => {
  const { dispatcher, finished, dispatch } = setup();
  await dispatch('warm-up');
  await nextTurn();
  finished.length = 0;
  await dispatch('last');
  // Closing starts in the same turn, and takes none: the batch has not been reported by its own turn yet.
  const closed = dispatcher.close(0);
  assert.equal(finished.length, 0);
  await closed;
  assert.deepEqual(finished.map((end) => end.id), ['last']);
});
