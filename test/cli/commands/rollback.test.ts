import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startStandInAdmin } from '../support/stand-in-admin.js';
import { lines, runNimbus } from '../support/run-cli.js';
import { makeTempDir } from '../support/temp-app.js';

test('rollback moves the live version back, to the one before by default or to --to N', async (t) => {
  const admin = await startStandInAdmin((req) => {
    const { to } = JSON.parse(req.body) as { to?: number };
    return { status: 200, body: { app: 'greeter', liveVersion: to ?? 2, previousVersion: 3 } };
  });
  const cwd = await makeTempDir();
  t.after(() => Promise.all([admin.close(), cwd.remove()]));
  const env = { NIMBUS_URL: admin.url, NIMBUS_ADMIN_KEY: 'k' };

  const previous = await runNimbus(['rollback', 'greeter'], { cwd: cwd.path, env });
  assert.equal(previous.code, 0, previous.stderr);
  assert.deepEqual(lines(previous.stdout), ['Rolled back greeter to v2 (was v3)']);
  assert.equal(admin.requests[0]!.method, 'POST');
  assert.equal(admin.requests[0]!.path, '/_nimbus/api/v1/apps/greeter/rollback');
  assert.deepEqual(JSON.parse(admin.requests[0]!.body), {});

  const chosen = await runNimbus(['rollback', 'greeter', '--to', '1'], { cwd: cwd.path, env });
  assert.deepEqual(lines(chosen.stdout), ['Rolled back greeter to v1 (was v3)']);
  assert.deepEqual(JSON.parse(admin.requests[1]!.body), { to: 1 });
});
