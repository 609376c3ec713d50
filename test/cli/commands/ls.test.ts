import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startStandInAdmin } from '../support/stand-in-admin.js';
import { lines, runNimbus } from '../support/run-cli.js';
import { makeTempDir } from '../support/temp-app.js';

const APPS = {
  apps: [
    {
      name: 'shop',
      liveVersion: 4,
      createdAt: Date.UTC(2025, 0, 1),
      updatedAt: '2025-01-02T00:00:00Z',
      functions: [
        { name: 'checkout', kind: 'http', route: 'POST /checkout', url: 'http://127.0.0.1:8080/checkout', instances: 2 },
        { name: 'receipts', kind: 'queue', route: null, url: null, instances: 0, trigger: { queue: 'orders' } },
        { name: 'thumbs', kind: 'blob', route: null, url: null, instances: 1, trigger: { bucket: 'images', path: 'uploads/*.png' } },
        {
          name: 'nightly', kind: 'timer', route: null, url: null, instances: 0, trigger: { cron: '0 3 * * *', timezone: 'Europe/Paris' },
          next: { utc: '2025-01-03T02:00:00.000Z', zoned: '2025-01-03T03:00:00+01:00', timezone: 'Europe/Paris' },
        },
      ],
    },
    { name: 'empty', liveVersion: 1, createdAt: Date.UTC(2025, 0, 1), updatedAt: Date.UTC(2025, 0, 1), functions: [] },
  ],
};

async function setUp(t: { after(fn: () => Promise<unknown>): void }) {
  const admin = await startStandInAdmin(() => ({ status: 200, body: APPS }));
  const cwd = await makeTempDir();
  t.after(() => Promise.all([admin.close(), cwd.remove()]));
  return { admin, cwd, env: { NIMBUS_URL: admin.url, NIMBUS_ADMIN_KEY: 'k' } };
}

test('ls prints one row per function: APP, VERSION, FUNCTION, KIND, TRIGGER (a timer with its next run), INSTANCES', async (t) => {
  const { admin, cwd, env } = await setUp(t);

  const run = await runNimbus(['ls'], { cwd: cwd.path, env });

  assert.equal(run.code, 0, run.stderr);
  assert.equal(admin.requests[0]!.path, '/_nimbus/api/v1/apps');
  assert.equal(admin.requests[0]!.headers.authorization, 'Bearer k');
  assert.deepEqual(lines(run.stdout), [
    'APP    VERSION  FUNCTION  KIND   TRIGGER                                                  INSTANCES',
    'shop   v4       checkout  http   POST /checkout                                           2',
    'shop   v4       receipts  queue  queue orders                                             0',
    'shop   v4       thumbs    blob   images/uploads/*.png                                     1',
    'shop   v4       nightly   timer  0 3 * * * Europe/Paris (next 2025-01-03 03:00:00+01:00)  0',
    'empty  v1       -         -      -                                                        0',
  ]);
});

test('ls --json prints {apps} exactly as the admin API returned it', async (t) => {
  const { cwd, env } = await setUp(t);

  const run = await runNimbus(['ls', '--json'], { cwd: cwd.path, env });

  assert.equal(run.code, 0, run.stderr);
  assert.deepEqual(JSON.parse(run.stdout), APPS);
});

test('ls adds an ORIGIN column once a function came from another platform\'s code', async (t) => {
  const apps = {
    apps: [{
      name: 'moved', liveVersion: 1, createdAt: 0, updatedAt: 0,
      functions: [
        { name: 'hello', kind: 'http', route: 'GET /hi', url: 'http://127.0.0.1:8080/fn/moved/hello', instances: 0, settings: { origin: 'lambda' } },
        { name: 'native', kind: 'http', route: null, url: 'http://127.0.0.1:8080/fn/moved/native', instances: 1, settings: {} },
      ],
    }],
  };
  const admin = await startStandInAdmin(() => ({ status: 200, body: apps }));
  const cwd = await makeTempDir();
  t.after(() => Promise.all([admin.close(), cwd.remove()]));

  const run = await runNimbus(['ls'], { cwd: cwd.path, env: { NIMBUS_URL: admin.url, NIMBUS_ADMIN_KEY: 'k' } });

  assert.equal(run.code, 0, run.stderr);
  assert.deepEqual(lines(run.stdout), [
    'APP    VERSION  FUNCTION  KIND  TRIGGER  INSTANCES  ORIGIN',
    'moved  v1       hello     http  GET /hi  0          lambda',
    'moved  v1       native    http  -        1          -',
  ]);
});
