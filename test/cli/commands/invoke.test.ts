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

test("invoke sends --data as the body and prints the function's response body", async (t) => {
  const { admin, cwd, env } = await setUp(t, () => ({ status: 200, body: 'hello ada', headers: { 'content-type': 'text/plain' } }));

  const run = await runNimbus(['invoke', 'greeter/hello', '--data', '{"name":"ada"}'], { cwd: cwd.path, env });

  assert.equal(run.code, 0, run.stderr);
  assert.equal(run.stdout, 'hello ada\n');
  const [request] = admin.requests;
  assert.equal(request!.method, 'POST');
  assert.equal(request!.path, '/_nimbus/api/v1/apps/greeter/functions/hello/invoke');
  assert.equal(request!.body, '{"name":"ada"}');
  assert.equal(request!.headers['content-type'], 'application/json');
  assert.equal(request!.headers['x-nimbus-method'], 'POST');
});

test('invoke --data @file sends the file; --method sets the method the function sees', async (t) => {
  const { admin, cwd, env } = await setUp(t, () => ({ status: 200, body: { ok: true } }));
  await cwd.write('order.json', '{"id": 7}');

  const run = await runNimbus(['invoke', 'shop/checkout', '--data', '@order.json', '--method', 'put'], { cwd: cwd.path, env });

  assert.equal(run.code, 0, run.stderr);
  assert.deepEqual(JSON.parse(run.stdout), { ok: true });
  assert.equal(admin.requests[0]!.body, '{"id": 7}');
  assert.equal(admin.requests[0]!.headers['x-nimbus-method'], 'PUT');
});

test('invoke --json prints status, headers and body', async (t) => {
  const { cwd, env } = await setUp(t, () => ({ status: 201, body: { id: 1 } }));

  const run = await runNimbus(['invoke', 'shop/checkout', '--json'], { cwd: cwd.path, env });

  const printed = JSON.parse(run.stdout) as { status: number; headers: Record<string, string>; body: unknown };
  assert.equal(printed.status, 201);
  assert.equal(printed.headers['content-type'], 'application/json');
  assert.deepEqual(printed.body, { id: 1 });
});

test('a 404 from Nimbus exits 1 with its message on one line', async (t) => {
  const { cwd, env } = await setUp(t, () => ({ status: 404, body: { error: { code: 'NIMBUS_ERR_FUNCTION_NOT_FOUND', message: 'no such function: greeter/nope' } } }));

  const run = await runNimbus(['invoke', 'greeter/nope'], { cwd: cwd.path, env });

  assert.equal(run.code, 1);
  assert.equal(run.stdout, '');
  assert.deepEqual(lines(run.stderr), ['nimbus: no such function: greeter/nope']);
});

test("a function's own error answer exits 1 with its status and first line", async (t) => {
  const { cwd, env } = await setUp(t, () => ({ status: 503, body: 'database down\nretry later', headers: { 'content-type': 'text/plain' } }));

  const run = await runNimbus(['invoke', 'shop/checkout'], { cwd: cwd.path, env });

  assert.equal(run.code, 1);
  assert.deepEqual(lines(run.stderr), ['nimbus: shop/checkout answered 503: database down']);
});

test('invoke needs APP/FUNCTION', async (t) => {
  const { admin, cwd, env } = await setUp(t, () => ({ status: 200 }));

  const run = await runNimbus(['invoke', 'just-an-app'], { cwd: cwd.path, env });

  assert.equal(run.code, 1);
  assert.equal(admin.requests.length, 0);
  assert.deepEqual(lines(run.stderr), ['nimbus: expected APP/FUNCTION, got "just-an-app" (see "nimbus help invoke")']);
});
