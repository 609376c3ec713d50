import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import type { NimbusError } from '../../../src/shared/errors.js';
import { TimerScheduler } from '../../../src/triggers/timer/scheduler.js';
import { addTimerApi } from '../../../src/triggers/timer/timer-api.js';
import { AdminRouter } from '../../../src/gateway/admin-router.js';
import { routeCaller } from '../../helpers/admin-route-call.js';
import { FakeClock } from '../../helpers/fake-clock.js';
import { RecordingInvoker, TempDatabase } from './fixtures.js';

async function api(t: TestContext) {
  const temp = new TempDatabase();
  const clock = new FakeClock('2026-05-01T10:00:30.000Z');
  const invoker = new RecordingInvoker();
  const scheduler = new TimerScheduler({ store: temp.store(clock), invoker, clock, nodeId: 'n' });
  t.after(async () => {
    await scheduler.close();
    temp.cleanup();
  });
  await scheduler.sync([{ app: 'shop', functionName: 'cleanup', version: 3, settings: { cron: '0 * * * *', timezone: 'Europe/Berlin' } }]);
  await scheduler.start();
  const router = new AdminRouter();
  addTimerApi(router, scheduler);
  const routes = routeCaller(router);
  const call = (method: string, path: string, query = '') => routes(method, `/${path}`, undefined, query);
  return { clock, invoker, call };
}

const code = (expected: string) => (err: NimbusError) => err.code === expected;

test('GET timers lists every timer with its next times and last run, times as ISO strings', async (t) => {
  const { clock, call } = await api(t);
  await clock.advanceTo('2026-05-01T11:00:00.000Z');
  const { status, body } = await call('GET', 'timers');
  assert.equal(status, 200);
  const [timer] = (body as { timers: Record<string, unknown>[] }).timers;
  assert.equal(timer?.functionName, 'cleanup');
  assert.deepEqual((timer?.next as unknown[])[0], { zoned: '2026-05-01T14:00:00+02:00', utc: '2026-05-01T12:00:00.000Z' });
  assert.deepEqual(timer?.lastRun, {
    id: 1,
    scheduledAt: '2026-05-01T11:00:00.000Z',
    reason: 'schedule',
    nodeId: 'n',
    firedAt: '2026-05-01T11:00:00.000Z',
    finishedAt: '2026-05-01T11:00:00.000Z',
    attempts: 1,
    outcome: 'ok',
    error: null,
    nextAttemptAt: null,
    isPastDue: false,
    missed: 0,
  });
});

test('POST timers/<app>/<fn>/run runs it now and answers 202 with the run; GET …/runs shows it', async (t) => {
  const { invoker, call } = await api(t);
  const ran = await call('POST', 'timers/shop/cleanup/run');
  assert.equal(ran.status, 202);
  assert.equal((ran.body as { run: { reason: string } }).run.reason, 'manual');
  assert.equal(invoker.calls.length, 1);
  const runs = await call('GET', 'timers/shop/cleanup/runs', 'limit=5');
  assert.deepEqual((runs.body as { runs: { reason: string }[] }).runs.map((r) => r.reason), ['manual']);
});

test('bad input is refused with the matching NIMBUS_ERR code', async (t) => {
  const { call } = await api(t);
  await assert.rejects(call('GET', 'timers/shop/nope/runs'), code('NIMBUS_ERR_FUNCTION_NOT_FOUND'));
  await assert.rejects(call('POST', 'timers/shop/nope/run'), code('NIMBUS_ERR_FUNCTION_NOT_FOUND'));
  await assert.rejects(call('GET', 'timers/shop/cleanup/run'), code('NIMBUS_ERR_METHOD_NOT_ALLOWED'));
  await assert.rejects(call('DELETE', 'timers'), code('NIMBUS_ERR_METHOD_NOT_ALLOWED'));
  await assert.rejects(call('GET', 'timers/shop/cleanup/logs'), code('NIMBUS_ERR_API_NOT_FOUND'));
  await assert.rejects(call('GET', 'timers/shop'), code('NIMBUS_ERR_API_NOT_FOUND'));
  await assert.rejects(call('GET', 'queues'), code('NIMBUS_ERR_API_NOT_FOUND'));
  for (const limit of ['0', '101', 'ten', '-1', '1.5']) {
    await assert.rejects(call('GET', 'timers/shop/cleanup/runs', `limit=${limit}`), (err: NimbusError) => {
      assert.equal(err.status, 400);
      assert.equal(err.details?.field, 'limit');
      return true;
    });
  }
});
