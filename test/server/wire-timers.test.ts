import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import { AdminRouter } from '../../src/gateway/admin-router.js';
import type { DeploymentRegistry } from '../../src/server/deployments.js';
import type { FunctionManifest, VersionRecord } from '../../src/store/store.js';
import { wireTimers } from '../../src/server/wire-timers.js';
import type { TimerStore } from '../../src/store/timer-store.js';
import { FakeClock, settle, waitFor } from '../helpers/fake-clock.js';
import { RecordingInvoker, TempDatabase } from '../triggers/timer/fixtures.js';

const noDeployments = { live: () => [], onChange: () => () => {} } as unknown as DeploymentRegistry;

/** Wired as the node wires them: `prepared: false` stops short of the node's prepare() while its pool boots, `listening: false` of its arm() once it listens. */
async function wire(store: TimerStore, clock: FakeClock, { prepared = true, listening = true, deployments = noDeployments, invoker = new RecordingInvoker() } = {}) {
  const timers = await wireTimers({
    store, invoker, nodeId: 'node-a', clock, log: pino({ level: 'silent' }), drainTimeoutMs: 100,
    deployments, router: new AdminRouter(), observeLag: () => {},
  });
  if (prepared) timers.prepare();
  if (listening) timers.arm();
  return timers;
}

/** A timer store in a fresh database, removed after the test. */
function timerStore(t: TestContext, clock: FakeClock): TimerStore {
  const database = new TempDatabase();
  t.after(() => database.cleanup());
  return database.store(clock);
}

/** The real store, counting calls of one method (the start-up read by default), whose first `failures` fail as an unreachable database would. */
function flakyStore(store: TimerStore, failures: number, method: keyof TimerStore = 'interruptRuns'): { store: TimerStore; calls: () => number } {
  let calls = 0;
  const flaky = new Proxy(store, {
    get(target, name, receiver) {
      const value = Reflect.get(target, name, receiver) as unknown;
      if (name !== method || typeof value !== 'function') return typeof value === 'function' ? value.bind(target) : value;
      return async (...args: unknown[]) => {
        calls++;
        if (calls <= failures) throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
        return (value as (...a: unknown[]) => Promise<number>).apply(target, args);
      };
    },
  });
  return { store: flaky, calls: () => calls };
}

test('timers that cannot be armed at start are tried again, later each time, until they are', async (t) => {
  const clock = new FakeClock();
  const { store, calls } = flakyStore(timerStore(t, clock), 2);
  const timers = await wire(store, clock);
  let armed = false;
  void timers.armed.then(() => (armed = true));

  await waitFor(() => calls() === 1, 'the first try');
  await clock.advance(999);
  await settle();
  assert.equal(calls(), 1, 'the second try waits a second');
  await clock.advance(1);
  await waitFor(() => calls() === 2, 'the second try');
  await clock.advance(1_999);
  await settle();
  assert.equal(calls(), 2, 'the third try waits twice as long');
  await clock.advance(1);
  await waitFor(() => armed, 'armed on the third try');
  assert.equal(calls(), 3);
  await timers.close();
});

test('timers are read once the node asks (prepare), and armed only once it listens (arm)', async (t) => {
  const clock = new FakeClock();
  const reads = flakyStore(timerStore(t, clock), 0, 'listTimers');
  const starts = flakyStore(reads.store, 0, 'interruptRuns');
  const timers = await wire(starts.store, clock, { prepared: false, listening: false });
  let armed = false;
  void timers.armed.then(() => (armed = true));
  await settle();
  assert.equal(reads.calls(), 0, 'no store read before prepare()');
  timers.prepare();
  await waitFor(() => reads.calls() === 1, 'read after prepare()');
  await settle();
  assert.equal(starts.calls(), 0, 'not started before the node listens');
  assert.equal(armed, false);
  timers.arm();
  await waitFor(() => armed, 'armed after arm()');
  assert.equal(starts.calls(), 1);
  assert.equal(reads.calls(), 1, 'read once');
  await timers.close();
});

test('a deploy followed before the timers are read is left to that read: the store is not read twice', async (t) => {
  const clock = new FakeClock();
  const { store, calls: reads } = flakyStore(timerStore(t, clock), 0, 'listTimers');
  const listeners: (() => void)[] = [];
  const deployments = { live: () => [], onChange: (listener: () => void) => listeners.push(listener) } as unknown as DeploymentRegistry;
  const timers = await wire(store, clock, { prepared: false, listening: false, deployments });
  for (const listener of listeners) listener();
  await settle();
  assert.equal(reads(), 0, 'no sync before prepare()');
  timers.prepare();
  timers.arm();
  await timers.armed;
  assert.equal(reads(), 1, 'the arming sync');
  for (const listener of listeners) listener();
  await waitFor(() => reads() === 2, 'a deploy after arming syncs');
  await timers.close();
});

test('a node closed before it listened ends its timers without arming them', async (t) => {
  const clock = new FakeClock();
  for (const prepared of [false, true]) {
    const reads = flakyStore(timerStore(t, clock), 0, 'listTimers');
    const starts = flakyStore(reads.store, 0, 'interruptRuns');
    const timers = await wire(starts.store, clock, { prepared, listening: false });
    if (prepared) await waitFor(() => reads.calls() === 1, 'read after prepare()');
    await timers.close();
    await timers.armed;
    assert.equal(starts.calls(), 0, `never armed (prepared: ${prepared})`);
  }
});

/** Deployments whose live versions change when the test says: each version one timer function firing every minute. */
function changingDeployments(): { deployments: DeploymentRegistry; deploy: (functionName: string) => void } {
  const live: VersionRecord[] = [];
  const listeners: (() => void)[] = [];
  const deployments = { live: () => live, onChange: (listener: () => void) => listeners.push(listener) } as unknown as DeploymentRegistry;
  return {
    deployments,
    deploy(functionName) {
      live.push({
        app: `app-${functionName}`, version: 1, bundleHash: 'h', sourceMapHash: null, bundleSize: 0, createdAt: 0,
        functions: [{ name: functionName, kind: 'timer', settings: {} as FunctionManifest['settings'], trigger: { cron: '* * * * *' } }],
      });
      for (const listener of listeners) listener();
    },
  };
}

test('a timer that falls due after its read but before the node listens fires only once armed; one deployed meanwhile is armed too', async (t) => {
  const clock = new FakeClock('2026-05-01T10:00:30.000Z');
  const invoker = new RecordingInvoker();
  const { deployments, deploy } = changingDeployments();
  deploy('early');
  const timers = await wire(timerStore(t, clock), clock, { listening: false, deployments, invoker });
  deploy('meanwhile');
  await clock.advance(60_000);
  await settle();
  assert.equal(invoker.calls.length, 0, 'nothing fires before arm()');
  timers.arm();
  await timers.armed;
  await clock.advance(1);
  await waitFor(() => invoker.calls.length === 2, 'both fire once armed');
  assert.deepEqual(invoker.calls.map((c) => [c.event.functionName, c.tick.scheduledAt, c.tick.isPastDue]).sort(), [
    ['early', '2026-05-01T10:01:00.000Z', true], ['meanwhile', '2026-05-01T10:01:00.000Z', true],
  ]);
  await clock.advance(60_000);
  await waitFor(() => invoker.calls.length === 4, 'and on their schedule after');
  await timers.close();
});

test('closing the node ends the retries', async (t) => {
  const clock = new FakeClock();
  const { store, calls } = flakyStore(timerStore(t, clock), 1_000);
  const timers = await wire(store, clock);
  await waitFor(() => calls() === 1, 'the first try');
  await timers.close();
  await timers.armed;
  await clock.advance(60_000);
  await settle();
  assert.equal(calls(), 1, 'no try after close');
});
