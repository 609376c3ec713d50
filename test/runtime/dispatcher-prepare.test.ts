import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Dispatcher, DEFAULT_DISPATCHER_OPTIONS } from '../../src/runtime/dispatcher.js';
import { InvocationLifecycle } from '../../src/runtime/lifecycle.js';
import type { WarmPool } from '../../src/runtime/pool/warm-pool.js';
import { resolveSettings } from '../../src/triggers/function-settings.js';
import { FakeClock, settle, waitFor } from '../helpers/fake-clock.js';
import { fakeInstance } from './pool/fake-instance.js';

test('prepare starts one instance of a function that has none, ahead of an invocation known to come, and no more', async () => {
  const resolver = {
    liveVersion: (app: string) => (app === 'shop' ? 3 : undefined),
    target: async (app: string, version: number, functionName: string) => ({
      app, version, functionName, settings: resolveSettings('timer', { maxInstances: 4 }), bundlePath: '/b.mjs', network: 'outbound' as const, env: {},
    }),
  };
  let taken = 0;
  const warmPool = { take: async () => (taken++, fakeInstance()), stats: () => [] } as unknown as WarmPool;
  const dispatcher = new Dispatcher(resolver, warmPool, new InvocationLifecycle(), new FakeClock(), DEFAULT_DISPATCHER_OPTIONS);

  dispatcher.prepare({ app: 'shop', functionName: 'nightly' });
  await waitFor(() => dispatcher.instances().some((f) => f.functionName === 'nightly' && f.version === 3 && f.instances === 1), 'one instance of the live version');
  dispatcher.prepare({ app: 'shop', functionName: 'nightly', version: 3 });
  dispatcher.prepare({ app: 'shop', functionName: 'nightly' });
  await settle();
  assert.equal(taken, 1, 'a function with an instance gets no other');
  dispatcher.prepare({ app: 'gone', functionName: 'nightly' });
  await settle();
  assert.equal(taken, 1, 'an app with no live version is left alone, without an error');
  await dispatcher.close(0);
});
