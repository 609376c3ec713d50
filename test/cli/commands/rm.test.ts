import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startStandInAdmin } from '../support/stand-in-admin.js';
import { lines, runNimbus } from '../support/run-cli.js';
import { makeTempDir } from '../support/temp-app.js';

test('rm deletes the app through the admin API', async (t) => {
  const admin = await startStandInAdmin(() => ({ status: 200, body: { removed: true } }));
  const cwd = await makeTempDir();
  t.after(() => Promise.all([admin.close(), cwd.remove()]));

  const run = await runNimbus(['rm', 'greeter'], { cwd: cwd.path, env: { NIMBUS_URL: admin.url, NIMBUS_ADMIN_KEY: 'k' } });

  assert.equal(run.code, 0, run.stderr);
  assert.deepEqual(lines(run.stdout), ['Removed greeter']);
  assert.equal(admin.requests[0]!.method, 'DELETE');
  assert.equal(admin.requests[0]!.path, '/_nimbus/api/v1/apps/greeter');
  assert.equal(admin.requests[0]!.headers.authorization, 'Bearer k');
});

test('a wrong key is reported with the server message, the node and where the key came from', async (t) => {
  const admin = await startStandInAdmin(() => ({ status: 401, body: { error: { code: 'NIMBUS_ERR_AUTH_INVALID', message: 'the key is not valid' } } }));
  const cwd = await makeTempDir();
  t.after(() => Promise.all([admin.close(), cwd.remove()]));

  const run = await runNimbus(['rm', 'greeter'], { cwd: cwd.path, env: { NIMBUS_URL: admin.url, NIMBUS_ADMIN_KEY: 'wrong' } });

  assert.equal(run.code, 1);
  assert.deepEqual(lines(run.stderr), [`nimbus: the node at ${admin.url} (URL from NIMBUS_URL) rejected the key from NIMBUS_ADMIN_KEY: the key is not valid`]);
});
