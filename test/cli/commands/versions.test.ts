import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startStandInAdmin } from '../support/stand-in-admin.js';
import { lines, runNimbus } from '../support/run-cli.js';
import { makeTempDir } from '../support/temp-app.js';

// As the admin API answers: oldest first, times in epoch milliseconds.
const VERSIONS = {
  versions: [
    { version: 1, createdAt: Date.UTC(2025, 2, 1, 10), bundleHash: 'b1', bundleSize: 1536, functions: ['hello'], live: false },
    { version: 2, createdAt: Date.UTC(2025, 2, 2, 10), bundleHash: 'b2', bundleSize: 2048, functions: ['hello', 'work'], live: true },
  ],
};

test('versions lists every version of an app, newest first, and marks the live one; --json prints them as returned', async (t) => {
  const admin = await startStandInAdmin(() => ({ status: 200, body: VERSIONS }));
  const cwd = await makeTempDir();
  t.after(() => Promise.all([admin.close(), cwd.remove()]));
  const env = { NIMBUS_URL: admin.url, NIMBUS_ADMIN_KEY: 'k' };

  const table = await runNimbus(['versions', 'greeter'], { cwd: cwd.path, env });
  assert.equal(table.code, 0, table.stderr);
  assert.equal(admin.requests[0]!.path, '/_nimbus/api/v1/apps/greeter/versions');
  assert.deepEqual(lines(table.stdout), [
    'VERSION  LIVE  CREATED               SIZE     FUNCTIONS',
    'v2       live  2025-03-02T10:00:00Z  2.0 KiB  hello, work',
    'v1             2025-03-01T10:00:00Z  1.5 KiB  hello',
  ]);

  const json = await runNimbus(['versions', 'greeter', '--json'], { cwd: cwd.path, env });
  assert.deepEqual(JSON.parse(json.stdout), VERSIONS);
});

test('versions of an unknown app prints the server message', async (t) => {
  const admin = await startStandInAdmin(() => ({ status: 404, body: { error: { code: 'NIMBUS_ERR_APP_NOT_FOUND', message: 'no such app: ghost' } } }));
  const cwd = await makeTempDir();
  t.after(() => Promise.all([admin.close(), cwd.remove()]));

  const run = await runNimbus(['versions', 'ghost'], { cwd: cwd.path, env: { NIMBUS_URL: admin.url, NIMBUS_ADMIN_KEY: 'k' } });

  assert.equal(run.code, 1);
  assert.deepEqual(lines(run.stderr), ['nimbus: no such app: ghost']);
});
