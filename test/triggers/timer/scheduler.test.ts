import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import type { TimerSettings } from '../../../src/sdk/definition.js';
import { NimbusError } from '../../../src/shared/errors.js';
import { systemClock } from '../../../src/shared/clock.js';
import { MAX_CATCH_UP_RUNS } from '../../../src/triggers/timer/catch-up.js';
import { CLAIM_AHEAD_MS, TimerScheduler, type TimerDefinitionRef } from '../../../src/triggers/timer/scheduler.js';
import { THROTTLED_RETRY_MS } from '../../../src/triggers/timer/attempts.js';
import { FakeClock, settle } from '../../helpers/fake-clock.js';
import { SqliteTimerStore } from '../../../src/store/sqlite/sqlite-timer-store.js';
import { PatternScan } from '../../../src/triggers/timer/schedule.js';
import type { TimerRecord, TimerRegistration } from '../../../src/store/timer-store.js';
import { RecordingInvoker, TempDatabase } from './fixtures.js';

const HOUR = 3_600_000;
const MINUTE = 60_000;

function timer(settings: TimerSettings, functionName = 'cleanup', version = 1): TimerDefinitionRef {
  return { app: 'shop', functionName, version, settings };
}

/** A node: a scheduler over its own connection to the shared SQLite file. */
function harness(t: TestContext, start = '2026-05-01T10:00:30.000Z') {
  const temp = new TempDatabase();
  const clock = new FakeClock(start);
  const invoker = new RecordingInvoker();
  const schedulers: TimerScheduler[] = [];
  const node = (nodeId = 'node-a', nodeInvoker = invoker): TimerScheduler => {
    const scheduler = new TimerScheduler({ store: temp.store(clock), invoker: nodeInvoker, clock, nodeId, random: () => 1 });
    schedulers.push(scheduler);
    return scheduler;
  };
  t.after(async () => {
    for (const call of invoker.calls) call.finish();
    await Promise.all(schedulers.map((s) => s.close()));
    temp.cleanup();
  });
  return { temp, clock, invoker, node };
}

test('an hourly timer fires once per hour, on time, each tick knowing the previous one', async (t) => {
  const { clock, invoker, node } = harness(t);
  const scheduler = node();
  await scheduler.sync([timer({ cron: '0 * * * *' })]);
  await scheduler.start();
  await clock.advance(3 * HOUR);

  assert.deepEqual(invoker.scheduledTimes(), ['2026-05-01T11:00:00.000Z', '2026-05-01T12:00:00.000Z', '2026-05-01T13:00:00.000Z']);
  const [first, second] = invoker.calls;
  assert.deepEqual(first?.event, { app: 'shop', functionName: 'cleanup', version: 1, trigger: 'timer', payload: first?.tick });
  assert.deepEqual(first?.tick, { scheduledAt: '2026-05-01T11:00:00.000Z', firedAt: '2026-05-01T11:00:00.000Z', isPastDue: false, missed: 0, lastRun: null });
  assert.equal(second?.tick.lastRun, '2026-05-01T11:00:00.000Z');

  const history = await scheduler.history('shop', 'cleanup');
  assert.deepEqual(history.map((r) => [new Date(r.scheduledAt).toISOString(), r.outcome, r.attempts]), [
    ['2026-05-01T13:00:00.000Z', 'ok', 1],
    ['2026-05-01T12:00:00.000Z', 'ok', 1],
    ['2026-05-01T11:00:00.000Z', 'ok', 1],
  ]);
});

test('one clock timeout is armed however many timers are registered', async (t) => {
  const { clock, invoker, node } = harness(t);
  const scheduler = node();
  const many = Array.from({ length: 500 }, (_, i) => timer({ cron: `${i % 60} * * * *` }, `fn${i}`));
  await scheduler.sync(many);
  await scheduler.start();
  assert.equal(clock.pendingTimers, 1);
  await clock.advance(HOUR);
  assert.equal(clock.pendingTimers, 1);
  assert.equal(invoker.calls.length, 500, 'each hourly timer fired once in the hour');
});

test('a restarted node continues the schedule without running any time twice', async (t) => {
  const { clock, invoker, node } = harness(t);
  const before = node('node-a');
  await before.sync([timer({ cron: '*/10 * * * *' })]);
  await before.start();
  await clock.advance(25 * MINUTE);
  await before.close();

  const after = node('node-a');
  await after.sync([timer({ cron: '*/10 * * * *' })]);
  await after.start();
  await clock.advance(30 * MINUTE);

  const times = invoker.scheduledTimes();
  assert.deepEqual(times, ['10:10', '10:20', '10:30', '10:40', '10:50'].map((hm) => `2026-05-01T${hm}:00.000Z`));
  assert.equal(new Set(times).size, times.length);
});

test('two nodes over the same database run each scheduled time exactly once between them', async (t) => {
  const { clock, invoker, node } = harness(t);
  const a = node('node-a');
  const b = node('node-b', invoker);
  for (const s of [a, b]) await s.sync([timer({ cron: '* * * * *' })]);
  await Promise.all([a.start(), b.start()]);
  await clock.advance(20 * MINUTE);
  const times = invoker.scheduledTimes();
  assert.equal(times.length, 20);
  assert.equal(new Set(times).size, 20);
});

test('a claim taken before a crash (cursor not yet saved) is not run again after the restart', async (t) => {
  const { temp, clock, invoker, node } = harness(t);
  const store = temp.store(clock);
  await store.registerTimers([{ id: 'shop/cleanup', app: 'shop', functionName: 'cleanup', version: 1, cron: '0 * * * *', timezone: 'UTC', settings: {} }]);
  // The previous life claimed 11:00 and died before moving the cursor past it.
  await store.claim('shop/cleanup', Date.parse('2026-05-01T11:00:00Z'), 'node-a');
  const scheduler = node('node-a');
  await scheduler.sync([timer({ cron: '0 * * * *' })]);
  await scheduler.start();
  await clock.advance(2 * HOUR);
  assert.deepEqual(invoker.scheduledTimes(), ['2026-05-01T12:00:00.000Z']);
  const history = await scheduler.history('shop', 'cleanup');
  assert.equal(history.find((r) => r.scheduledAt === Date.parse('2026-05-01T11:00:00Z'))?.outcome, 'interrupted');
});

async function outage(t: TestContext, catchUp: 'skip' | 'once' | 'all', downHours: number, overlap: 'skip' | 'allow' = 'skip', hold = false) {
  const h = harness(t);
  const first = h.node();
  await first.sync([timer({ cron: '0 * * * *', catchUp, overlap })]);
  await first.start();
  await h.clock.advanceTo('2026-05-01T11:00:00.000Z');
  await first.close();
  // Down from just after 11:00 until downHours later, plus 30 minutes.
  await h.clock.advance(downHours * HOUR + 30 * MINUTE);
  h.invoker.calls.length = 0;
  if (hold) h.invoker.respond = () => 'hold';
  const second = h.node();
  await second.sync([timer({ cron: '0 * * * *', catchUp, overlap })]);
  await second.start();
  await h.clock.advance(0);
  return { ...h, scheduler: second };
}

test("catchUp 'once' (the default) runs the newest missed time once, telling the handler it is late and how much it missed", async (t) => {
  const { invoker, clock, scheduler } = await outage(t, 'once', 5);
  assert.equal(invoker.calls.length, 1);
  assert.deepEqual(invoker.calls[0]?.tick, {
    scheduledAt: '2026-05-01T16:00:00.000Z',
    firedAt: '2026-05-01T16:30:00.000Z',
    isPastDue: true,
    missed: 4,
    lastRun: '2026-05-01T11:00:00.000Z',
  });
  await clock.advance(30 * MINUTE);
  assert.equal(invoker.calls[1]?.tick.scheduledAt, '2026-05-01T17:00:00.000Z', 'then back on schedule');
  assert.equal(invoker.calls[1]?.tick.isPastDue, false);
  assert.equal((await scheduler.history('shop', 'cleanup', 1))[0]?.outcome, 'ok');
});

test("catchUp 'skip' runs none of the missed times and records the skip", async (t) => {
  const { invoker, clock, scheduler } = await outage(t, 'skip', 5);
  assert.equal(invoker.calls.length, 0);
  const [skipped] = await scheduler.history('shop', 'cleanup', 1);
  assert.equal(skipped?.outcome, 'skipped');
  assert.equal(skipped?.scheduledAt, Date.parse('2026-05-01T16:00:00Z'));
  assert.match(skipped?.error ?? '', /missed 5 scheduled time/);
  await clock.advance(30 * MINUTE);
  assert.deepEqual(invoker.scheduledTimes(), ['2026-05-01T17:00:00.000Z']);
  assert.equal(invoker.calls[0]?.tick.lastRun, '2026-05-01T11:00:00.000Z', 'lastRun is the last run that fired, not the skip');
});

test("catchUp 'all' runs every missed time, oldest first, one after another", async (t) => {
  const h = await outage(t, 'all', 3, 'skip', true);
  // Outage covered 12:00..14:00; they were started in order, each after the previous finished.
  assert.deepEqual(h.invoker.scheduledTimes(), ['2026-05-01T12:00:00.000Z']);
  for (let i = 0; i < 3; i++) {
    assert.equal(h.invoker.running, 1);
    h.invoker.calls[i]?.finish();
    await h.clock.advance(0);
  }
  assert.deepEqual(h.invoker.scheduledTimes(), ['12', '13', '14'].map((hh) => `2026-05-01T${hh}:00:00.000Z`));
  assert.ok(h.invoker.calls.every((c) => c.tick.isPastDue && c.tick.missed === 0));
});

test(`catchUp 'all' is capped at the newest ${MAX_CATCH_UP_RUNS} missed times; the first says how many were dropped`, async (t) => {
  const { invoker } = await outage(t, 'all', 150, 'allow');
  assert.equal(invoker.calls.length, MAX_CATCH_UP_RUNS);
  assert.equal(invoker.calls[0]?.tick.missed, 150 - MAX_CATCH_UP_RUNS);
  assert.equal(invoker.calls.at(-1)?.tick.scheduledAt, new Date(Date.parse('2026-05-01T11:00:00Z') + 150 * HOUR).toISOString());
});

test("overlap 'skip' (the default): a time that comes while the previous run is still going is skipped and recorded", async (t) => {
  const { clock, invoker, node } = harness(t);
  invoker.respond = () => 'hold';
  const scheduler = node();
  await scheduler.sync([timer({ cron: '* * * * *' })]);
  await scheduler.start();
  await clock.advance(2 * MINUTE);
  assert.equal(invoker.calls.length, 1, 'the 10:02 time found 10:01 still running');
  invoker.calls[0]?.finish();
  await clock.advance(MINUTE);
  assert.deepEqual(invoker.scheduledTimes(), ['2026-05-01T10:01:00.000Z', '2026-05-01T10:03:00.000Z']);
  const outcomes = (await scheduler.history('shop', 'cleanup')).map((r) => [new Date(r.scheduledAt).toISOString().slice(11, 16), r.outcome]);
  assert.deepEqual(outcomes, [['10:03', 'running'], ['10:02', 'skipped'], ['10:01', 'ok']]);
});

test("overlap 'queue': the next time waits for the running one, then runs right after it", async (t) => {
  const { clock, invoker, node } = harness(t);
  invoker.respond = () => 'hold';
  const scheduler = node();
  await scheduler.sync([timer({ cron: '* * * * *', overlap: 'queue' })]);
  await scheduler.start();
  await clock.advance(2 * MINUTE);
  assert.equal(invoker.calls.length, 1);
  assert.equal((await scheduler.list())[0]?.queued, 1);
  invoker.calls[0]?.finish();
  await clock.advance(0);
  assert.deepEqual(invoker.scheduledTimes(), ['2026-05-01T10:01:00.000Z', '2026-05-01T10:02:00.000Z']);
  assert.equal(invoker.calls[1]?.tick.firedAt, '2026-05-01T10:02:30.000Z');
});

test("overlap 'allow': runs go side by side", async (t) => {
  const { clock, invoker, node } = harness(t);
  invoker.respond = () => 'hold';
  const scheduler = node();
  await scheduler.sync([timer({ cron: '* * * * *', overlap: 'allow' })]);
  await scheduler.start();
  await clock.advance(3 * MINUTE);
  assert.equal(invoker.running, 3);
  assert.equal((await scheduler.list())[0]?.running, 3);
});

test('a failing run retries with backoff up to maxAttempts, and the exhausted run stays in the history', async (t) => {
  const { clock, invoker, node } = harness(t);
  invoker.respond = () => 'error';
  const scheduler = node();
  await scheduler.sync([timer({ cron: '0 * * * *', maxAttempts: 3, backoff: { initialMs: 1_000, maxMs: 10_000 } })]);
  await scheduler.start();
  await clock.advanceTo('2026-05-01T11:00:00.000Z');
  assert.equal(invoker.calls.length, 1);
  let [run] = await scheduler.history('shop', 'cleanup', 1);
  assert.equal(run?.outcome, 'running');
  assert.equal(run?.attempts, 1);
  assert.equal(run?.nextAttemptAt, Date.parse('2026-05-01T11:00:01.000Z'), 'first retry after backoffDelayMs(1)');

  // Short of the next hour's time and of its claim, taken CLAIM_AHEAD_MS before it.
  await clock.advance(HOUR - 1 - CLAIM_AHEAD_MS);
  // Random pinned to 1: delays of 1 s then 2 s.
  assert.deepEqual(invoker.calls.map((c) => c.tick.firedAt), ['2026-05-01T11:00:00.000Z', '2026-05-01T11:00:01.000Z', '2026-05-01T11:00:03.000Z']);
  assert.ok(invoker.calls.every((c) => c.tick.scheduledAt === '2026-05-01T11:00:00.000Z' && c.event.version === 1));
  [run] = await scheduler.history('shop', 'cleanup', 1);
  assert.equal(run?.outcome, 'error');
  assert.equal(run?.attempts, 3);
  assert.equal(run?.error, 'handler said error');
  assert.equal(run?.finishedAt, Date.parse('2026-05-01T11:00:03.000Z'));
  assert.equal(run?.nextAttemptAt, null);
});

test('throttled tries are not attempts: the run waits and tries again', async (t) => {
  const { clock, invoker, node } = harness(t);
  let throttles = 3;
  invoker.respond = () => (throttles-- > 0 ? 'throttled' : 'ok');
  const scheduler = node();
  await scheduler.sync([timer({ cron: '0 * * * *', maxAttempts: 1 })]);
  await scheduler.start();
  await clock.advanceTo('2026-05-01T11:00:00.000Z');
  await clock.advance(3 * THROTTLED_RETRY_MS);
  assert.equal(invoker.calls.length, 4);
  const [run] = await scheduler.history('shop', 'cleanup', 1);
  assert.equal(run?.outcome, 'ok');
  assert.equal(run?.attempts, 1);
});

test('runNow runs the timer at once, whatever its overlap policy, and history records it as manual', async (t) => {
  const { clock, invoker, node } = harness(t);
  invoker.respond = () => 'hold';
  const scheduler = node();
  await scheduler.sync([timer({ cron: '@daily' })]);
  await scheduler.start();
  const first = await scheduler.runNow('shop', 'cleanup');
  const second = await scheduler.runNow('shop', 'cleanup');
  assert.equal(first.reason, 'manual');
  assert.equal(second.outcome, 'running');
  await clock.advance(0);
  assert.equal(invoker.running, 2);
  await assert.rejects(scheduler.runNow('shop', 'nope'), (err: NimbusError) => err.code === 'NIMBUS_ERR_FUNCTION_NOT_FOUND');
});

test('runOnStartup fires once when the scheduler starts', async (t) => {
  const { clock, invoker, node } = harness(t);
  const scheduler = node();
  await scheduler.sync([timer({ cron: '@daily', runOnStartup: true }), timer({ cron: '@daily' }, 'quiet')]);
  await scheduler.start();
  await clock.advance(0);
  assert.equal(invoker.calls.length, 1);
  assert.equal(invoker.calls[0]?.event.functionName, 'cleanup');
  assert.equal((await scheduler.history('shop', 'cleanup', 1))[0]?.reason, 'startup');
});

test('sync: a removed timer stops, a changed schedule takes effect, a new version is what runs', async (t) => {
  const { clock, invoker, node } = harness(t);
  const scheduler = node();
  await scheduler.sync([timer({ cron: '0 * * * *' }), timer({ cron: '0 * * * *' }, 'report')]);
  await scheduler.start();
  await clock.advanceTo('2026-05-01T11:00:00.000Z');
  assert.equal(invoker.calls.length, 2);

  await scheduler.sync([timer({ cron: '*/30 * * * *' }, 'cleanup', 2)]);
  await clock.advanceTo('2026-05-01T12:00:00.000Z');
  assert.deepEqual(
    invoker.calls.slice(2).map((c) => [c.event.functionName, c.event.version, c.tick.scheduledAt]),
    [['cleanup', 2, '2026-05-01T11:30:00.000Z'], ['cleanup', 2, '2026-05-01T12:00:00.000Z']],
  );
  assert.deepEqual((await scheduler.list()).map((s) => s.functionName), ['cleanup']);
  await assert.rejects(scheduler.history('shop', 'report'), (err: NimbusError) => err.code === 'NIMBUS_ERR_FUNCTION_NOT_FOUND');
});

test('sync refuses a bad definition naming the function and the field, and changes nothing', async (t) => {
  const { node } = harness(t);
  const scheduler = node();
  await scheduler.sync([timer({ cron: '@hourly' })]);
  for (const [settings, field] of [
    [{ cron: '0 25 * * *' }, 'cron'],
    [{ cron: '@hourly', timezone: 'Europe/Atlantis' }, 'timezone'],
    [{ cron: '@hourly', catchUp: 'twice' }, 'catchUp'],
    [{ cron: '@hourly', overlap: 'maybe' }, 'overlap'],
  ] as [TimerSettings, string][]) {
    await assert.rejects(scheduler.sync([timer({ cron: '@daily' }, 'other'), timer(settings, 'broken')]), (err: NimbusError) => {
      assert.equal(err.code, 'NIMBUS_ERR_DEPLOY_INVALID_DEFINITION');
      assert.deepEqual(err.details, { app: 'shop', function: 'broken', field });
      assert.match(err.message, new RegExp(`shop/broken: ${field}: `));
      return true;
    });
  }
  assert.deepEqual((await scheduler.list()).map((s) => s.functionName), ['cleanup']);
});

test('list shows each timer with its next three times in its own zone and in UTC, and its last run', async (t) => {
  const { clock, node } = harness(t, '2026-03-28T12:00:00.000Z');
  const scheduler = node();
  await scheduler.sync([timer({ cron: '30 2 * * *', timezone: 'Europe/Berlin' })]);
  await scheduler.start();
  let [status] = await scheduler.list();
  assert.deepEqual(status, {
    app: 'shop',
    functionName: 'cleanup',
    version: 1,
    cron: '30 2 * * *',
    timezone: 'Europe/Berlin',
    catchUp: 'once',
    overlap: 'skip',
    next: [
      { zoned: '2026-03-29T03:00:00+02:00', utc: '2026-03-29T01:00:00.000Z' },
      { zoned: '2026-03-30T02:30:00+02:00', utc: '2026-03-30T00:30:00.000Z' },
      { zoned: '2026-03-31T02:30:00+02:00', utc: '2026-03-31T00:30:00.000Z' },
    ],
    running: 0,
    queued: 0,
    lastRun: null,
  });
  await clock.advanceTo('2026-03-29T12:00:00.000Z');
  [status] = await scheduler.list();
  assert.equal(status?.lastRun?.outcome, 'ok');
  assert.equal(status?.lastRun?.scheduledAt, Date.parse('2026-03-29T01:00:00Z'), 'the spring-forward day ran once, at 03:00 local');
});

test('DST: a 01:30 New York timer runs once on the fall-back day, not twice', async (t) => {
  const { clock, invoker, node } = harness(t, '2026-10-31T12:00:00.000Z');
  const scheduler = node();
  await scheduler.sync([timer({ cron: '30 1 * * *', timezone: 'America/New_York' })]);
  await scheduler.start();
  await clock.advanceTo('2026-11-02T00:00:00.000Z');
  assert.deepEqual(invoker.scheduledTimes(), ['2026-11-01T05:30:00.000Z']);
});

test('close waits for runs in flight, ends pending retries with their last outcome, and records queued times as skipped', async (t) => {
  const { clock, invoker, node } = harness(t);
  const scheduler = node();
  invoker.respond = (call) => (call.event.functionName === 'flaky' ? 'error' : 'hold');
  await scheduler.sync([timer({ cron: '* * * * *', overlap: 'queue' }), timer({ cron: '* * * * *', maxAttempts: 5, backoff: { initialMs: MINUTE, maxMs: MINUTE } }, 'flaky')]);
  await scheduler.start();
  await clock.advance(2 * MINUTE);
  let closed = false;
  const closing = scheduler.close().then(() => (closed = true));
  await settle();
  assert.equal(closed, false, 'the held run is still going');
  invoker.calls.find((c) => !c.done)?.finish();
  await closing;
  const cleanup = await scheduler.history('shop', 'cleanup');
  assert.deepEqual(cleanup.map((r) => r.outcome), ['skipped', 'ok']);
  assert.match(cleanup[0]?.error ?? '', /shut down/);
  const flakyRuns = await scheduler.history('shop', 'flaky');
  assert.deepEqual(flakyRuns.map((r) => r.outcome), ['skipped', 'error'], '10:02 came while 10:01 waited to retry');
  const flaky = flakyRuns[1];
  assert.equal(flaky?.attempts, 2, 'tried at 10:01 and 10:02, then waiting for 10:03 when the node closed');
  assert.match(flaky?.error ?? '', /retries stopped/);
  await assert.rejects(scheduler.runNow('shop', 'cleanup'), (err: NimbusError) => err.code === 'NIMBUS_ERR_NODE_SHUTTING_DOWN');
});

test('with the real clock, an every-second timer fires at least twice within a few seconds', async (t) => {
  const temp = new TempDatabase();
  const invoker = new RecordingInvoker();
  const scheduler = new TimerScheduler({ store: temp.store(systemClock), invoker, nodeId: 'real' });
  t.after(async () => {
    await scheduler.close();
    temp.cleanup();
  });
  const twoFires = new Promise<void>((resolve) => {
    invoker.respond = () => {
      if (invoker.calls.length >= 2) resolve();
      return 'ok';
    };
  });
  await scheduler.sync([timer({ cron: '* * * * * *' })]);
  await scheduler.start();
  let guard: NodeJS.Timeout | undefined;
  const outcome = await Promise.race([twoFires.then(() => 'fired'), new Promise((resolve) => (guard = setTimeout(resolve, 10_000, 'timed out')))]);
  clearTimeout(guard);
  assert.equal(outcome, 'fired');
  const [first, second] = invoker.calls.map((c) => Date.parse(c.tick.scheduledAt));
  assert.equal(first! % 1000, 0, 'scheduled on whole seconds');
  assert.ok(second! > first!, 'distinct seconds');
});

test('a restart re-registers only the timers that changed, and timers sharing a schedule each fire at its times', async (t) => {
  const { temp, clock, invoker, node } = harness(t);
  const timers = (version: number) => [
    timer({ cron: '0 * * * *' }, 'a'), timer({ cron: '0 * * * *' }, 'b'), timer({ cron: '0 * * * *' }, 'c', version), timer({ cron: '30 * * * *' }, 'd'),
  ];
  const before = node('node-a');
  await before.sync(timers(1));
  await before.start();
  await clock.advance(HOUR);
  await before.close();
  const registeredAt = (await temp.store(clock).getTimer('shop/a'))!.updatedAt;

  await clock.advance(MINUTE);
  const after = node('node-a');
  await after.sync(timers(2));
  await after.start();
  const store = temp.store(clock);
  assert.equal((await store.getTimer('shop/a'))!.updatedAt, registeredAt, 'an unchanged timer is not rewritten');
  assert.equal((await store.getTimer('shop/c'))!.version, 2);
  assert.equal((await store.getTimer('shop/c'))!.updatedAt, clock.now(), 'a new version is');

  await clock.advance(HOUR);
  const fired = invoker.calls.map((c) => `${c.event.functionName} ${c.tick.scheduledAt.slice(11, 16)}`).sort();
  assert.deepEqual(fired, ['a 11:00', 'a 12:00', 'b 11:00', 'b 12:00', 'c 11:00', 'c 12:00', 'd 10:30', 'd 11:30']);
});

test('a start takes each timer\'s next time as stored, and stores the times it works out', async (t) => {
  const { temp, clock, invoker, node } = harness(t);
  const timers = [timer({ cron: '0 * * * *', catchUp: 'all' }, 'hourly'), timer({ cron: '*/10 * * * *' }, 'tenth')];
  const store = temp.store(clock);
  const nextTimes = async (): Promise<Record<string, string | null>> =>
    Object.fromEntries((await store.listTimers()).map((r) => [r.functionName, r.nextAt === null ? null : new Date(r.nextAt).toISOString()]));
  const fired = (functionName: string): string[] => invoker.calls.filter((c) => c.event.functionName === functionName).map((c) => c.tick.scheduledAt);

  const first = node('node-a');
  await first.sync(timers);
  await settle();
  assert.deepEqual(await nextTimes(), { hourly: '2026-05-01T11:00:00.000Z', tenth: '2026-05-01T10:10:00.000Z' }, 'worked out at registration, and stored');
  await first.start();
  await clock.advanceTo('2026-05-01T10:10:05.000Z');
  assert.deepEqual(fired('tenth'), ['2026-05-01T10:10:00.000Z']);
  assert.equal((await nextTimes())['tenth'], '2026-05-01T10:20:00.000Z', 'moved with the cursor when it fired');
  await first.close();

  // The next start takes what is stored without working it out again: a stored time later than the schedule's
  // (as a stale one would be) delays the hourly timer until then, and catch-up runs the time it passed by its policy
  // (here 'all': both run).
  const hourly = (await store.getTimer('shop/hourly'))!;
  await store.rememberNextTimes([{ id: hourly.id, after: hourly.lastScheduledAt, cron: hourly.cron, timezone: hourly.timezone, nextAt: Date.parse('2026-05-01T12:00:00.000Z') }]);
  const second = node('node-a');
  await second.sync(timers);
  await second.start();
  await clock.advanceTo('2026-05-01T11:30:00.000Z');
  assert.deepEqual(fired('hourly'), [], 'the stored time was taken');
  assert.deepEqual(fired('tenth'), ['2026-05-01T10:10:00.000Z', '2026-05-01T10:20:00.000Z', '2026-05-01T10:30:00.000Z', '2026-05-01T10:40:00.000Z', '2026-05-01T10:50:00.000Z', '2026-05-01T11:00:00.000Z', '2026-05-01T11:10:00.000Z', '2026-05-01T11:20:00.000Z', '2026-05-01T11:30:00.000Z']);
  await clock.advanceTo('2026-05-01T12:00:05.000Z');
  assert.deepEqual(fired('hourly'), ['2026-05-01T11:00:00.000Z', '2026-05-01T12:00:00.000Z']);
  assert.equal(invoker.calls.find((c) => c.tick.scheduledAt === '2026-05-01T11:00:00.000Z' && c.event.functionName === 'hourly')?.tick.isPastDue, true);
});

test('a new timer\'s next time comes from the check of its settings, unless a time of its schedule passed before it was registered', async (t) => {
  const { temp, clock, invoker } = harness(t);
  // Checking a schedule works out its first time after the check; registering the timers comes after, here 10 min 10 s
  // later (a slow store), past the every-ten-minutes timer's first time but not the hourly one's.
  class SlowRegistration extends SqliteTimerStore {
    override async registerTimers(registrations: TimerRegistration[]): Promise<TimerRecord[]> {
      await clock.advance(10 * MINUTE + 10_000);
      return super.registerTimers(registrations);
    }
  }
  const store = new SlowRegistration(temp.open(), clock);
  const scheduler = new TimerScheduler({ store, invoker, clock, nodeId: 'node-a', random: () => 1 });
  t.after(() => scheduler.close());
  // Next times worked out after registration (each one building its pattern outside the settings check's cache).
  const workedOut = t.mock.method(PatternScan.prototype, 'nextAfter');
  await scheduler.sync([timer({ cron: '0 * * * *' }, 'hourly'), timer({ cron: '*/10 * * * *' }, 'tenth')]);
  await settle();
  assert.deepEqual(workedOut.mock.calls.map((c) => c.arguments[0]), ['*/10 * * * *'], 'only the timer whose checked time had passed');
  const stored = Object.fromEntries((await store.listTimers()).map((r) => [r.functionName, r]));
  assert.equal(new Date(stored['tenth']!.lastScheduledAt).toISOString(), '2026-05-01T10:10:40.000Z', 'registered after the check');
  assert.equal(new Date(stored['hourly']!.nextAt!).toISOString(), '2026-05-01T11:00:00.000Z', 'the time from the check');
  assert.equal(new Date(stored['tenth']!.nextAt!).toISOString(), '2026-05-01T10:20:00.000Z', 'worked out again: 10:10 came before the timer existed');

  await scheduler.start();
  await clock.advanceTo('2026-05-01T11:00:05.000Z');
  assert.deepEqual(invoker.scheduledTimes(), ['2026-05-01T10:20:00.000Z', '2026-05-01T10:30:00.000Z', '2026-05-01T10:40:00.000Z', '2026-05-01T10:50:00.000Z', '2026-05-01T11:00:00.000Z', '2026-05-01T11:00:00.000Z']);
});

test('a sync rewrites a timer only when its settings changed: its stored settings (in any key order) or the same ones unresolved count as unchanged', async (t) => {
  const { temp, clock, node } = harness(t);
  const store = temp.store(clock);
  const scheduler = node();
  await scheduler.sync([timer({ cron: '@hourly' })]);
  const registered = (await store.getTimer('shop/cleanup'))!;
  await clock.advance(MINUTE);

  const reordered = Object.fromEntries(Object.entries(registered.settings).reverse()) as unknown as TimerSettings;
  assert.notDeepEqual(Object.keys(reordered), Object.keys(registered.settings), 'the keys come in another order');
  await scheduler.sync([timer(reordered)]);
  assert.equal((await store.getTimer('shop/cleanup'))!.updatedAt, registered.updatedAt, 'the stored settings, reordered: not rewritten');
  await scheduler.sync([timer({ cron: '@hourly' })]);
  assert.equal((await store.getTimer('shop/cleanup'))!.updatedAt, registered.updatedAt, 'the same definition as deployed: not rewritten');

  await scheduler.sync([timer({ ...reordered, catchUp: 'all' })]);
  const changed = (await store.getTimer('shop/cleanup'))!;
  assert.equal(changed.updatedAt, clock.now(), 'a changed setting is written');
  assert.equal(changed.settings['catchUp'], 'all');
  await assert.rejects(scheduler.sync([timer({ ...reordered, overlap: 'maybe' } as unknown as TimerSettings)]), (err: NimbusError) => {
    assert.equal(err.code, 'NIMBUS_ERR_DEPLOY_INVALID_DEFINITION');
    assert.deepEqual(err.details, { app: 'shop', function: 'cleanup', field: 'overlap' });
    return true;
  }, 'settings that differ from the stored ones are checked');
  assert.equal((await store.getTimer('shop/cleanup'))!.settings['overlap'], changed.settings['overlap'], 'and a refused sync writes nothing');
});

test('settings from a node of another version are checked here too: a field this node does not know or a value it cannot run is refused, stored or not', async (t) => {
  const { temp, clock, node } = harness(t);
  const store = temp.store(clock);
  const scheduler = node();
  await scheduler.sync([timer({ cron: '@hourly' })]);
  const known = (await store.getTimer('shop/cleanup'))!.settings;
  // A newer node deployed an overlap policy this one does not know, and stored it.
  const newer = { ...known, overlap: 'queue-behind' };
  await store.registerTimers([{ id: 'shop/cleanup', app: 'shop', functionName: 'cleanup', version: 2, cron: '0 * * * *', timezone: 'UTC', settings: newer }]);
  await assert.rejects(scheduler.sync([timer(newer as unknown as TimerSettings, 'cleanup', 2)]), (err: NimbusError) => {
    assert.equal(err.code, 'NIMBUS_ERR_DEPLOY_INVALID_DEFINITION');
    assert.deepEqual(err.details, { app: 'shop', function: 'cleanup', field: 'overlap' });
    return true;
  });
  // A setting this node has never heard of would be ignored if the timer ran here: refused too.
  const unknownField = { ...known, jitterMs: 500 };
  await store.registerTimers([{ id: 'shop/cleanup', app: 'shop', functionName: 'cleanup', version: 2, cron: '0 * * * *', timezone: 'UTC', settings: unknownField }]);
  await assert.rejects(scheduler.sync([timer(unknownField as unknown as TimerSettings, 'cleanup', 2)]), (err: NimbusError) => {
    assert.equal(err.code, 'NIMBUS_ERR_DEPLOY_INVALID_DEFINITION');
    assert.equal(err.details?.field, 'jitterMs');
    assert.match(err.message, /shop\/cleanup: .*not a timer setting this node knows/);
    return true;
  });
  // The same unknown field, deployed but not yet stored (this node syncs first): refused the same way.
  await assert.rejects(scheduler.sync([timer({ ...known, overlap: 'allow', jitterMs: 500 } as unknown as TimerSettings, 'cleanup', 2)]), (err: NimbusError) => {
    assert.equal(err.details?.field, 'jitterMs');
    return true;
  });
  // Settings it can run, stored the same way, are taken as stored.
  await store.registerTimers([{ id: 'shop/cleanup', app: 'shop', functionName: 'cleanup', version: 3, cron: '0 * * * *', timezone: 'UTC', settings: { ...known, overlap: 'allow' } }]);
  await scheduler.sync([timer({ ...known, overlap: 'allow' } as unknown as TimerSettings, 'cleanup', 3)]);
  assert.equal((await store.getTimer('shop/cleanup'))!.version, 3);
});

test('a start asks the store for a pause between pages of the stored timers; a sync once started (a deploy) does not', async (t) => {
  const { temp, clock, invoker } = harness(t);
  const store = temp.store(clock);
  const asked: boolean[] = [];
  const listTimers = store.listTimers.bind(store);
  store.listTimers = (options) => {
    asked.push(options?.between !== undefined);
    return listTimers(options);
  };
  const scheduler = new TimerScheduler({ store, invoker, clock, nodeId: 'node-a', random: () => 1 });
  t.after(() => scheduler.close());
  await scheduler.sync([timer({ cron: '0 * * * *' })]);
  await scheduler.start();
  await scheduler.sync([timer({ cron: '0 * * * *' }), timer({ cron: '*/5 * * * *' }, 'report')]);
  assert.deepEqual(asked, [true, false]);
  assert.deepEqual((await store.listTimers()).map((r) => r.functionName), ['cleanup', 'report']);
});
