import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startStandInAdmin } from '../support/stand-in-admin.js';
import { lines, runNimbus, TOOK } from '../support/run-cli.js';
import { makeTempDir } from '../support/temp-app.js';

const APP = `import { http, queue } from 'nimbus-functions';
export const hello = http('GET /hello/:name', (_req, ctx) => \`hello \${ctx.params['name']}\`);
export const work = queue({ queue: 'jobs' }, () => {});
`;

test('deploy bundles the folder and posts it with the admin key from ./.nimbus/admin-key, then lists the functions (an HTTP one at its route, at /fn/ without one)', async (t) => {
  const admin = await startStandInAdmin(() => ({
    status: 201,
    body: {
      app: 'greeter',
      version: 3,
      functions: [
        { name: 'hello', kind: 'http', route: 'GET /hello/:name', url: 'http://127.0.0.1:8080/fn/greeter/hello', routeUrl: 'http://127.0.0.1:8080/hello/:name' },
        { name: 'raw', kind: 'http', route: null, url: 'http://127.0.0.1:8080/fn/greeter/raw', routeUrl: null },
        { name: 'work', kind: 'queue', route: null, url: null, routeUrl: null },
      ],
    },
  }));
  const cwd = await makeTempDir({ 'greeter/index.ts': APP, '.nimbus/admin-key': 'k-from-file\n' });
  t.after(() => Promise.all([admin.close(), cwd.remove()]));

  const run = await runNimbus(['deploy', 'greeter', '--url', admin.url], { cwd: cwd.path });

  assert.equal(run.code, 0, run.stderr);
  const uploads = admin.requests.filter((r) => r.method === 'POST');
  assert.equal(uploads.length, 1);
  const [request] = uploads;
  assert.equal(request!.method, 'POST');
  assert.equal(request!.path, '/_nimbus/api/v1/apps/greeter/versions');
  assert.equal(request!.headers.authorization, 'Bearer k-from-file');
  const upload = JSON.parse(request!.body) as { bundle: string; sourceMap: string };
  assert.match(upload.bundle, /GET \/hello\/:name/);
  assert.ok(JSON.parse(upload.sourceMap), 'the source map is sent beside the bundle');
  assert.deepEqual(lines(withoutTimes(run.stdout)), [
    '  bundle _ ms  _ KiB',
    '  type check _ ms',
    '  upload _ ms',
    '  live _ ms',
    'Deployed greeter v3 in _ ms',
    '  FUNCTION  KIND   TRIGGER           URL / NEXT RUN',
    '  hello     http   GET /hello/:name  http://127.0.0.1:8080/hello/:name',
    '  raw       http   -                 http://127.0.0.1:8080/fn/greeter/raw',
    '  work      queue  queue ?           -',
  ]);
});

test('deploy --app names the app; NIMBUS_ADMIN_KEY and NIMBUS_URL are honoured', async (t) => {
  const admin = await startStandInAdmin(() => ({ status: 201, body: { app: 'renamed', version: 1, functions: [] } }));
  const cwd = await makeTempDir({ 'greeter/index.ts': APP });
  t.after(() => Promise.all([admin.close(), cwd.remove()]));

  const run = await runNimbus(['deploy', 'greeter', '--app', 'renamed', '--no-typecheck'], {
    cwd: cwd.path,
    env: { NIMBUS_URL: admin.url, NIMBUS_ADMIN_KEY: 'k-from-env' },
  });

  assert.equal(run.code, 0, run.stderr);
  const upload = admin.requests.find((r) => r.method === 'POST');
  assert.equal(upload?.path, '/_nimbus/api/v1/apps/renamed/versions');
  assert.equal(upload!.headers.authorization, 'Bearer k-from-env');
});

test('warnings the node gives with a deploy go to standard error, one line each', async (t) => {
  const warning = 'api.example.com (network.allow of function calls) could not be checked: the resolver answered EAI_AGAIN; calls fail until it resolves';
  const admin = await startStandInAdmin(() => ({ status: 201, body: { app: 'greeter', version: 2, functions: [], warnings: [warning] } }));
  const cwd = await makeTempDir({ 'greeter/index.ts': APP });
  t.after(() => Promise.all([admin.close(), cwd.remove()]));

  const run = await runNimbus(['deploy', 'greeter', '--no-typecheck', '--url', admin.url, '--key', 'k'], { cwd: cwd.path });

  assert.equal(run.code, 0, run.stderr);
  assert.match(lines(run.stdout).at(-1)!, new RegExp(`^Deployed greeter v2 in ${TOOK}$`));
  assert.deepEqual(lines(run.stderr), [`warning: ${warning}`]);
});

test('a refused deploy prints the server message on one line and exits 1', async (t) => {
  const admin = await startStandInAdmin(() => ({
    status: 409,
    body: { error: { code: 'NIMBUS_ERR_DEPLOY_ROUTE_CONFLICT', message: 'a route is already served by another app: GET /hello/:name is served by app other' } },
  }));
  const cwd = await makeTempDir({ 'greeter/index.ts': APP });
  t.after(() => Promise.all([admin.close(), cwd.remove()]));

  const run = await runNimbus(['deploy', 'greeter', '--no-typecheck', '--url', admin.url, '--key', 'k'], { cwd: cwd.path });

  assert.equal(run.code, 1);
  assert.doesNotMatch(run.stdout, /Deployed/);
  assert.deepEqual(lines(run.stderr), ['nimbus: a route is already served by another app: GET /hello/:name is served by app other']);
});

test('an app with a type error is not uploaded; the error names file:line:col', async (t) => {
  const admin = await startStandInAdmin(() => ({ status: 201, body: {} }));
  const cwd = await makeTempDir({ 'greeter/index.ts': `import { http } from 'nimbus-functions';\nexport const a = http('/a', (req) => req.nope);\n` });
  t.after(() => Promise.all([admin.close(), cwd.remove()]));

  const run = await runNimbus(['deploy', 'greeter', '--url', admin.url, '--key', 'k'], { cwd: cwd.path });

  assert.equal(run.code, 1);
  assert.deepEqual(admin.requests.filter((r) => r.method === 'POST'), [], 'nothing is uploaded');
  assert.deepEqual(lines(run.stderr), [
    'nimbus: type check failed (1 error; skip with --no-typecheck)',
    "  index.ts:2:42 Property 'nope' does not exist on type 'Request'.",
  ]);
});

/** Step times and sizes vary: `  bundle      149 ms  758 B` reads `  bundle      _ ms  _ KiB`. */
function withoutTimes(text: string): string {
  return text.replace(/ +\d+(\.\d+)? (ms|s)\b/g, ' _ ms').replace(/\d+(\.\d+)? (B|KiB)\b/g, '_ KiB');
}
