import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TIMER_FAILED_RUN_HISTORY_LIMIT, TIMER_RUN_HISTORY_LIMIT, type TimerRegistration } from '../../../src/store/timer-store.js';
import { FakeClock } from '../../triggers/timer/fake-clock.js';
import { TempDatabase } from '../../triggers/timer/fixtures.js';

const T0 = '2026-05-01T10:00:00.000Z';

function registration(overrides: Partial<TimerRegistration> = {}): TimerRegistration {
  return { id: 'shop/cleanup', app: 'shop', functionName: 'cleanup', version: 1, cron: '0 * * * *', timezone: 'UTC', settings: { cron: '0 * * * *' }, ...overrides };
}

test('a scheduled time can be claimed once: a second claim, from any connection, gets nothing', async (t) => {
  const temp = new TempDatabase();
  t.after(() => temp.cleanup());
  const clock = new FakeClock(T0);
  const nodeA = temp.store(clock);
  const nodeB = temp.store(clock);
  const at = Date.parse('2026-05-01T11:00:00Z');

  const run = await nodeA.claim('shop/cleanup', at, 'node-a');
  assert.ok(run);
  assert.equal(run.outcome, 'running');
  assert.equal(run.nodeId, 'node-a');
  assert.equal(run.scheduledAt, at);
  assert.equal(await nodeB.claim('shop/cleanup', at, 'node-b'), undefined);
  assert.equal(await nodeA.claim('shop/cleanup', at, 'node-a'), undefined);
  assert.ok(await nodeB.claim('shop/other', at, 'node-b'), 'claims are per timer');
  assert.ok(await nodeB.claim('shop/cleanup', at + 3_600_000, 'node-b'), 'and per time');
});

test('startup and manual runs are recorded every time, even at an already claimed instant', async (t) => {
  const temp = new TempDatabase();
  t.after(() => temp.cleanup());
  const store = temp.store(new FakeClock(T0));
  const at = Date.parse(T0);
  assert.ok(await store.claim('shop/cleanup', at, 'n', { reason: 'schedule' }));
  assert.ok(await store.claim('shop/cleanup', at, 'n', { reason: 'manual' }));
  assert.ok(await store.claim('shop/cleanup', at, 'n', { reason: 'manual' }));
  assert.ok(await store.claim('shop/cleanup', at, 'n', { reason: 'startup' }));
  assert.deepEqual((await store.listRuns('shop/cleanup', 10)).map((r) => r.reason), ['startup', 'manual', 'manual', 'schedule']);
});

test('a skipped claim records the time as skipped, finished, with the reason', async (t) => {
  const temp = new TempDatabase();
  t.after(() => temp.cleanup());
  const store = temp.store(new FakeClock(T0));
  const run = await store.claim('shop/cleanup', Date.parse(T0), 'n', { skipped: 'still going' });
  assert.equal(run?.outcome, 'skipped');
  assert.equal(run?.error, 'still going');
  assert.equal(run?.finishedAt, Date.parse(T0));
});

test('runs are updated as they progress and listed newest first', async (t) => {
  const temp = new TempDatabase();
  t.after(() => temp.cleanup());
  const clock = new FakeClock(T0);
  const store = temp.store(clock);
  const first = (await store.claim('shop/cleanup', 1_000, 'n', { isPastDue: true, missed: 3 }))!;
  await store.updateRun(first.id, { firedAt: 1_500, attempts: 1, error: 'boom', nextAttemptAt: 2_500 });
  await store.updateRun(first.id, { attempts: 2, outcome: 'ok', error: null, finishedAt: 3_000, nextAttemptAt: null });
  await store.claim('shop/cleanup', 2_000, 'n');
  const [newest, oldest] = await store.listRuns('shop/cleanup', 10);
  assert.equal(newest?.scheduledAt, 2_000);
  assert.deepEqual(
    { ...oldest, id: 0 },
    { id: 0, timerId: 'shop/cleanup', scheduledAt: 1_000, reason: 'schedule', nodeId: 'n', claimedAt: clock.now(), firedAt: 1_500, attempts: 2, outcome: 'ok', error: null, finishedAt: 3_000, nextAttemptAt: null, isPastDue: true, missed: 3 },
  );
});

test(`history keeps the newest ${TIMER_RUN_HISTORY_LIMIT} runs per timer, plus failed runs up to ${TIMER_FAILED_RUN_HISTORY_LIMIT}`, async (t) => {
  const temp = new TempDatabase();
  t.after(() => temp.cleanup());
  const store = temp.store(new FakeClock(T0));
  let at = 0;
  const failed = (await store.claim('shop/cleanup', ++at, 'n'))!;
  await store.updateRun(failed.id, { outcome: 'error', error: 'exhausted', attempts: 5, finishedAt: at });
  const stillRunning = (await store.claim('shop/cleanup', ++at, 'n'))!;
  for (let i = 0; i < TIMER_RUN_HISTORY_LIMIT + 20; i++) {
    const run = (await store.claim('shop/cleanup', ++at, 'n'))!;
    await store.updateRun(run.id, { outcome: 'ok', finishedAt: at });
  }
  await store.claim('shop/other', 1, 'n');

  const runs = await store.listRuns('shop/cleanup', 1_000);
  assert.equal(runs.length, TIMER_RUN_HISTORY_LIMIT + 2, 'the newest runs, the failed one and the running one');
  assert.ok(runs.some((r) => r.id === failed.id && r.error === 'exhausted'), 'the exhausted run is kept for inspection');
  assert.ok(runs.some((r) => r.id === stillRunning.id), 'a run in progress is never pruned');
  assert.equal((await store.listRuns('shop/other', 10)).length, 1, 'other timers are untouched');
});

test('a new timer starts its schedule now; re-registering keeps the cursor unless the cron or time zone changed', async (t) => {
  const temp = new TempDatabase();
  t.after(() => temp.cleanup());
  const clock = new FakeClock(T0);
  const store = temp.store(clock);
  const [created] = await store.registerTimers([registration()]);
  assert.equal(created?.lastScheduledAt, Date.parse(T0));

  await store.advanceTimer('shop/cleanup', Date.parse('2026-05-01T13:00:00Z'));
  await store.advanceTimer('shop/cleanup', Date.parse('2026-05-01T12:00:00Z'));
  assert.equal((await store.getTimer('shop/cleanup'))?.lastScheduledAt, Date.parse('2026-05-01T13:00:00Z'), 'never moves backward');

  await clock.advance(86_400_000);
  const [redeployed] = await store.registerTimers([registration({ version: 2 })]);
  assert.equal(redeployed?.version, 2);
  assert.equal(redeployed?.lastScheduledAt, Date.parse('2026-05-01T13:00:00Z'), 'a new version of the same schedule catches up from where it stopped');

  const [rescheduled] = await store.registerTimers([registration({ version: 3, cron: '*/5 * * * *' })]);
  assert.equal(rescheduled?.lastScheduledAt, clock.now(), 'a changed schedule does not catch up the old one');
  const [rezoned] = await store.registerTimers([registration({ version: 3, cron: '*/5 * * * *', timezone: 'Europe/Berlin' })]);
  assert.equal(rezoned?.timezone, 'Europe/Berlin');
});

test('removing a timer forgets its runs; the last run of each timer is one query away', async (t) => {
  const temp = new TempDatabase();
  t.after(() => temp.cleanup());
  const store = temp.store(new FakeClock(T0));
  await store.registerTimers([registration(), registration({ id: 'shop/report', functionName: 'report' })]);
  await store.claim('shop/cleanup', 1, 'n');
  await store.claim('shop/cleanup', 2, 'n', { skipped: 'busy' });
  await store.claim('shop/report', 1, 'n');
  assert.deepEqual((await store.listLastRuns()).map((r) => [r.timerId, r.scheduledAt]).sort(), [['shop/cleanup', 2], ['shop/report', 1]]);
  assert.deepEqual((await store.listLastRuns({ firedOnly: true })).map((r) => [r.timerId, r.scheduledAt]).sort(), [['shop/cleanup', 1], ['shop/report', 1]]);

  await store.removeTimers(['shop/cleanup']);
  assert.deepEqual((await store.listTimers()).map((r) => r.id), ['shop/report']);
  assert.deepEqual(await store.listRuns('shop/cleanup', 10), []);
});

test("a node's unfinished runs are marked interrupted when it starts again; other nodes' are left alone", async (t) => {
  const temp = new TempDatabase();
  t.after(() => temp.cleanup());
  const store = temp.store(new FakeClock(T0));
  const mine = (await store.claim('shop/cleanup', 1, 'node-a'))!;
  const done = (await store.claim('shop/cleanup', 2, 'node-a'))!;
  await store.updateRun(done.id, { outcome: 'ok', finishedAt: 3 });
  const theirs = (await store.claim('shop/cleanup', 3, 'node-b'))!;
  assert.equal(await store.interruptRuns('node-a', 'stopped'), 1);
  const runs = new Map((await store.listRuns('shop/cleanup', 10)).map((r) => [r.id, r]));
  assert.equal(runs.get(mine.id)?.outcome, 'interrupted');
  assert.equal(runs.get(mine.id)?.error, 'stopped');
  assert.equal(runs.get(done.id)?.outcome, 'ok');
  assert.equal(runs.get(theirs.id)?.outcome, 'running');
});
