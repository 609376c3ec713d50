import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import type { TimerSettings } from '../../../src/sdk/definition.js';
import { CLAIM_AHEAD_MS, TimerScheduler, type TimerDefinitionRef } from '../../../src/triggers/timer/scheduler.js';
import { FakeClock } from '../../helpers/fake-clock.js';
import { RecordingInvoker, TempDatabase } from './fixtures.js';

const MINUTE = 60_000;
const T = Date.parse('2026-05-01T10:01:00.000Z');

function timer(settings: TimerSettings, functionName = 'cleanup'): TimerDefinitionRef {
  return { app: 'shop', functionName, version: 1, settings };
}

function harness(t: TestContext) {
  const temp = new TempDatabase();
  const clock = new FakeClock('2026-05-01T10:00:30.000Z');
  const invoker = new RecordingInvoker();
  const schedulers: TimerScheduler[] = [];
  const node = (nodeId = 'node-a'): TimerScheduler => {
    const scheduler = new TimerScheduler({ store: temp.store(clock), invoker, clock, nodeId, random: () => 1 });
    schedulers.push(scheduler);
    return scheduler;
  };
  t.after(async () => {
    for (const call of invoker.calls) call.finish();
    // A time claimed ahead runs at its time: let the clock get there so close can drain it.
    const closed = Promise.all(schedulers.map((s) => s.close()));
    await clock.advance(CLAIM_AHEAD_MS);
    await closed;
    temp.cleanup();
  });
  return { clock, invoker, node };
}

test('a scheduled time is claimed and its function readied ahead, and the handler is invoked at the time, never before', async (t) => {
  const { clock, invoker, node } = harness(t);
  const scheduler = node();
  await scheduler.sync([timer({ cron: '* * * * *' })]);
  await scheduler.start();
  await clock.advanceTo(T - CLAIM_AHEAD_MS);
  const [claimed] = await scheduler.history('shop', 'cleanup', 1);
  assert.equal(claimed?.scheduledAt, T, 'claimed before it comes');
  assert.equal(claimed?.outcome, 'running');
  assert.equal(claimed?.firedAt, null);
  assert.deepEqual(invoker.prepared, ['shop/cleanup@1'], 'the instance is readied with the claim');
  await clock.advanceTo(T - 1);
  assert.equal(invoker.calls.length, 0, 'not a millisecond early');
  await clock.advanceTo(T);
  assert.equal(invoker.calls.length, 1);
  assert.equal(invoker.calls[0]?.tick.scheduledAt, '2026-05-01T10:01:00.000Z');
  assert.equal(invoker.calls[0]?.tick.firedAt, '2026-05-01T10:01:00.000Z', 'on the dot');
  assert.equal(invoker.calls[0]?.tick.isPastDue, false);
  const [run] = await scheduler.history('shop', 'cleanup', 1);
  assert.equal(run?.firedAt, T);
  assert.equal(run?.outcome, 'ok');
});

test('two nodes claiming ahead over the same database still run each time once between them', async (t) => {
  const { clock, invoker, node } = harness(t);
  const a = node('node-a');
  const b = node('node-b');
  for (const s of [a, b]) {
    await s.sync([timer({ cron: '* * * * *' })]);
    await s.start();
  }
  await clock.advance(5 * MINUTE);
  assert.deepEqual(invoker.scheduledTimes(), ['10:01', '10:02', '10:03', '10:04', '10:05'].map((hm) => `2026-05-01T${hm}:00.000Z`));
  assert.equal(invoker.prepared.length, 5, 'only the node that won a claim readies an instance for it');
});

test("overlap 'skip' is decided at the time: a run that ends after the next time was due to be claimed does not make it skip", async (t) => {
  const { clock, invoker, node } = harness(t);
  invoker.respond = () => 'hold';
  const scheduler = node();
  await scheduler.sync([timer({ cron: '* * * * *' })]);
  await scheduler.start();
  await clock.advanceTo(T + MINUTE - CLAIM_AHEAD_MS);
  assert.equal(invoker.calls.length, 1, '10:01 still running when 10:02 would be claimed');
  await clock.advance(CLAIM_AHEAD_MS / 2);
  invoker.calls[0]?.finish();
  await clock.advanceTo(T + MINUTE);
  assert.deepEqual(invoker.scheduledTimes(), ['2026-05-01T10:01:00.000Z', '2026-05-01T10:02:00.000Z'], '10:02 runs: 10:01 had ended by then');
  assert.equal(invoker.calls[1]?.tick.firedAt, '2026-05-01T10:02:00.000Z');
  const outcomes = (await scheduler.history('shop', 'cleanup')).map((r) => r.outcome);
  assert.ok(!outcomes.includes('skipped'), JSON.stringify(outcomes));
});

test('a timer removed after its time was claimed ahead does not run', async (t) => {
  const { clock, invoker, node } = harness(t);
  const scheduler = node();
  await scheduler.sync([timer({ cron: '* * * * *' })]);
  await scheduler.start();
  await clock.advanceTo(T - CLAIM_AHEAD_MS);
  assert.equal((await scheduler.history('shop', 'cleanup', 1)).length, 1, 'claimed');
  await scheduler.sync([]);
  await clock.advanceTo(T + 1);
  assert.equal(invoker.calls.length, 0);
});

test('a node closing after it claimed a time ahead still runs that time, at the time, before close resolves', async (t) => {
  const { clock, invoker, node } = harness(t);
  const scheduler = node();
  await scheduler.sync([timer({ cron: '* * * * *' })]);
  await scheduler.start();
  await clock.advanceTo(T - CLAIM_AHEAD_MS);
  let closed = false;
  const closing = scheduler.close().then(() => (closed = true));
  await clock.advanceTo(T - 1);
  assert.equal(invoker.calls.length, 0);
  assert.equal(closed, false, 'close waits for the claimed time');
  await clock.advanceTo(T);
  await closing;
  assert.equal(invoker.calls.length, 1);
  assert.equal(invoker.calls[0]?.tick.firedAt, '2026-05-01T10:01:00.000Z');
});

test('a time waiting to decide its overlap at the time is recorded as skipped when the node shuts down first, and dropped when its timer is removed', async (t) => {
  const { clock, invoker, node } = harness(t);
  invoker.respond = () => 'hold';
  const scheduler = node();
  await scheduler.sync([timer({ cron: '* * * * *' }), timer({ cron: '* * * * *' }, 'report')]);
  await scheduler.start();
  await clock.advanceTo(T + MINUTE - CLAIM_AHEAD_MS);
  assert.equal(invoker.calls.length, 2, 'both 10:01 runs still going when 10:02 comes near');
  await scheduler.sync([timer({ cron: '* * * * *' })]);
  for (const call of invoker.calls) call.finish();
  await scheduler.close();
  const outcomes = (await scheduler.history('shop', 'cleanup')).map((r) => [new Date(r.scheduledAt).toISOString().slice(11, 16), r.outcome, r.error]);
  assert.deepEqual(outcomes, [['10:02', 'skipped', 'the node shut down before it could run'], ['10:01', 'ok', null]]);
  assert.equal(invoker.calls.length, 2, 'neither 10:02 ran');
});
