import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startStandInAdmin, type Answer, type RecordedRequest } from '../support/stand-in-admin.js';
import { lines, runNimbus } from '../support/run-cli.js';
import { makeTempDir } from '../support/temp-app.js';

async function setUp(t: { after(fn: () => Promise<unknown>): void }, answer: (req: RecordedRequest) => Answer) {
  const admin = await startStandInAdmin(answer);
  const cwd = await makeTempDir();
  t.after(() => Promise.all([admin.close(), cwd.remove()]));
  return { admin, cwd, env: { NIMBUS_URL: admin.url, NIMBUS_ADMIN_KEY: 'k' } };
}

const RUN = {
  id: 7, scheduledAt: '2026-03-28T01:30:00.000Z', reason: 'schedule', nodeId: 'n1', firedAt: '2026-03-28T01:30:00.004Z',
  finishedAt: '2026-03-28T01:30:01.000Z', attempts: 1, outcome: 'ok', error: null, nextAttemptAt: null, isPastDue: false, missed: 0,
};
const TIMERS = {
  timers: [{
    app: 'shop', functionName: 'nightly', version: 3, cron: '30 2 * * *', timezone: 'Europe/Berlin', catchUp: 'once', overlap: 'skip',
    next: [
      { zoned: '2026-03-29T03:00:00+02:00', utc: '2026-03-29T01:00:00.000Z' },
      { zoned: '2026-03-30T02:30:00+02:00', utc: '2026-03-30T00:30:00.000Z' },
      { zoned: '2026-03-31T02:30:00+02:00', utc: '2026-03-31T00:30:00.000Z' },
    ],
    running: 0, queued: 0, lastRun: RUN,
  }],
};

test('timers ls shows each schedule, its next three times in its zone and UTC, and the last run; --json as returned', async (t) => {
  const { admin, cwd, env } = await setUp(t, () => ({ status: 200, body: TIMERS }));

  const table = await runNimbus(['timers', 'ls'], { cwd: cwd.path, env });

  assert.equal(table.code, 0, table.stderr);
  assert.equal(admin.requests[0]!.method, 'GET');
  assert.equal(admin.requests[0]!.path, '/_nimbus/api/v1/timers');
  assert.equal(admin.requests[0]!.headers.authorization, 'Bearer k');
  assert.deepEqual(lines(table.stdout), [
    'TIMER         CRON        ZONE           NEXT (ZONE)                NEXT (UTC)            LAST RUN              OUTCOME',
    'shop/nightly  30 2 * * *  Europe/Berlin  2026-03-29T03:00:00+02:00  2026-03-29T01:00:00Z  2026-03-28T01:30:00Z  ok',
    '                                         2026-03-30T02:30:00+02:00  2026-03-30T00:30:00Z',
    '                                         2026-03-31T02:30:00+02:00  2026-03-31T00:30:00Z',
  ]);

  const json = await runNimbus(['timers', 'ls', '--json'], { cwd: cwd.path, env });
  assert.deepEqual(JSON.parse(json.stdout), TIMERS);
});

test('timers run starts a run now; timers history lists runs with --limit', async (t) => {
  const { admin, cwd, env } = await setUp(t, (req) =>
    req.method === 'POST' ? { status: 202, body: { run: { ...RUN, id: 8, reason: 'manual', outcome: 'running' } } } : { status: 200, body: { runs: [RUN] } });

  const run = await runNimbus(['timers', 'run', 'shop/nightly'], { cwd: cwd.path, env });
  assert.equal(run.code, 0, run.stderr);
  assert.equal(admin.requests[0]!.method, 'POST');
  assert.equal(admin.requests[0]!.path, '/_nimbus/api/v1/timers/shop/nightly/run');
  assert.deepEqual(lines(run.stdout), ['Started shop/nightly now (run 8); see it with: nimbus timers history shop/nightly']);

  const history = await runNimbus(['timers', 'history', 'shop/nightly', '--limit', '5'], { cwd: cwd.path, env });
  assert.equal(history.code, 0, history.stderr);
  assert.equal(admin.requests[1]!.path, '/_nimbus/api/v1/timers/shop/nightly/runs?limit=5');
  assert.deepEqual(lines(history.stdout), [
    'RUN  SCHEDULED             REASON    FIRED                 FINISHED              ATTEMPTS  OUTCOME  ERROR',
    '7    2026-03-28T01:30:00Z  schedule  2026-03-28T01:30:00Z  2026-03-28T01:30:01Z  1         ok',
  ]);

  const json = await runNimbus(['timers', 'history', 'shop/nightly', '--json'], { cwd: cwd.path, env });
  assert.deepEqual(JSON.parse(json.stdout), { runs: [RUN] });
});

test('timers run of an unknown timer exits 1 with the server message', async (t) => {
  const { cwd, env } = await setUp(t, () => ({ status: 404, body: { error: { code: 'NIMBUS_ERR_FUNCTION_NOT_FOUND', message: 'no such function: shop/ghost' } } }));

  const run = await runNimbus(['timers', 'run', 'shop/ghost'], { cwd: cwd.path, env });

  assert.equal(run.code, 1);
  assert.deepEqual(lines(run.stderr), ['nimbus: no such function: shop/ghost']);
});

test('timers: bad usage exits 1 before any request', async (t) => {
  const { admin, cwd, env } = await setUp(t, () => ({ status: 200, body: {} }));

  const noSub = await runNimbus(['timers'], { cwd: cwd.path, env });
  const badTarget = await runNimbus(['timers', 'run', 'shop'], { cwd: cwd.path, env });
  const badLimit = await runNimbus(['timers', 'history', 'shop/nightly', '--limit', '500'], { cwd: cwd.path, env });
  const wrongOption = await runNimbus(['timers', 'run', 'shop/nightly', '--json'], { cwd: cwd.path, env });

  for (const run of [noSub, badTarget, badLimit, wrongOption]) {
    assert.equal(run.code, 1);
    assert.equal(lines(run.stderr).length, 1, run.stderr);
  }
  assert.match(noSub.stderr, /^nimbus: missing subcommand: ls, run, history/);
  assert.match(badTarget.stderr, /expected APP\/FUNCTION, got "shop"/);
  assert.match(badLimit.stderr, /--limit must be a whole number from 1 to 100/);
  assert.match(wrongOption.stderr, /unknown option "--json" for "timers run"/);
  assert.equal(admin.requests.length, 0);
});

test('timers --help lists every subcommand', async (t) => {
  const { cwd, env } = await setUp(t, () => ({ status: 200, body: {} }));

  const help = await runNimbus(['timers', '--help'], { cwd: cwd.path, env });

  assert.equal(help.code, 0);
  assert.match(help.stdout, /nimbus timers history APP\/FUNCTION \[--limit N\] \[--json\]/);
});
