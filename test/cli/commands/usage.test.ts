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

const figures = (invocations: number, gbSeconds: number, cpuMs: number, errors: number, coldStarts: number, cost: number) =>
  ({ invocations, gbSeconds, cpuMs, errors, coldStarts, billedMs: 0, cost });
const REPORT = {
  since: 0,
  by: 'function',
  prices: { perMillionRequests: 0.2, perGbSecond: 0.0000166667 },
  rows: [{ key: 'shop/checkout', ...figures(1200, 1.5, 830.4, 3, 2, 0.000265) }, { key: 'shop/nightly', ...figures(1, 0.125, 10, 0, 1, 0.0000023) }],
  totals: figures(1201, 1.625, 840.4, 3, 3, 0.0002673),
};

test('usage prints a row per function and a totals line; options become the query; --json as returned', async (t) => {
  const { admin, cwd, env } = await setUp(t, () => ({ status: 200, body: REPORT }));

  const table = await runNimbus(['usage', '--app', 'shop', '--since', '7d', '--by', 'function'], { cwd: cwd.path, env });
  assert.equal(table.code, 0, table.stderr);
  assert.equal(admin.requests[0]!.path, '/_nimbus/api/v1/usage?app=shop&since=7d&by=function');
  assert.deepEqual(lines(table.stdout), [
    'FUNCTION       INVOCATIONS  GB-S    CPU-MS  ERRORS  COLD STARTS  COST',
    'shop/checkout  1200         1.5000  830     3       2            $0.000265',
    'shop/nightly   1            0.1250  10      0       1            $0.000002',
    'TOTAL          1201         1.6250  840     3       3            $0.000267',
  ]);

  const json = await runNimbus(['usage', '--json'], { cwd: cwd.path, env });
  assert.equal(admin.requests[1]!.path, '/_nimbus/api/v1/usage');
  assert.deepEqual(JSON.parse(json.stdout), REPORT);
});

test('usage refuses an unknown --by; a bad --since is reported as the server words it', async (t) => {
  const { admin, cwd, env } = await setUp(t, () => ({ status: 400, body: { error: { code: 'NIMBUS_ERR_QUERY_INVALID', message: 'a query parameter is not valid: since: "soon" is not a time', field: 'since' } } }));

  const badBy = await runNimbus(['usage', '--by', 'week'], { cwd: cwd.path, env });
  assert.equal(badBy.code, 1);
  assert.deepEqual(lines(badBy.stderr), ['nimbus: --by must be one of function, hour, day, got "week" (see "nimbus help usage")']);
  assert.equal(admin.requests.length, 0);

  const badSince = await runNimbus(['usage', '--since', 'soon'], { cwd: cwd.path, env });
  assert.equal(badSince.code, 1);
  assert.deepEqual(lines(badSince.stderr), ['nimbus: a query parameter is not valid: since: "soon" is not a time']);
});
