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

const SECRET = { name: 'STRIPE_KEY', createdAt: Date.UTC(2026, 0, 2, 3, 4, 5), updatedAt: Date.UTC(2026, 0, 3, 3, 4, 5) };

test('secrets set sends each KEY=VALUE (and KEY=@file) and never prints a value', async (t) => {
  const { admin, cwd, env } = await setUp(t, (req) => ({ status: 200, body: { secret: { ...SECRET, name: req.path.split('/').at(-1) } } }));
  await cwd.write('cert.pem', 'pem-contents-s3cret\n');

  const run = await runNimbus(['secrets', 'set', 'shop', 'STRIPE_KEY=sk_live_s3cret=x', 'CERT=@cert.pem'], { cwd: cwd.path, env });

  assert.equal(run.code, 0, run.stderr);
  assert.deepEqual(lines(run.stdout), ['Set STRIPE_KEY for shop', 'Set CERT for shop']);
  assert.doesNotMatch(run.stdout + run.stderr, /s3cret/);
  assert.deepEqual(admin.requests.map((r) => [r.method, r.path, JSON.parse(r.body)]), [
    ['PUT', '/_nimbus/api/v1/apps/shop/secrets/STRIPE_KEY', { value: 'sk_live_s3cret=x' }],
    ['PUT', '/_nimbus/api/v1/apps/shop/secrets/CERT', { value: 'pem-contents-s3cret\n' }],
  ]);
  assert.equal(admin.requests[0]!.headers['content-type'], 'application/json');
});

test('secrets set refuses a pair without "=" without echoing it, and sends nothing', async (t) => {
  const { admin, cwd, env } = await setUp(t, () => ({ status: 200, body: { secret: SECRET } }));

  const run = await runNimbus(['secrets', 'set', 'shop', 'A=1', 'sk_live_s3cret'], { cwd: cwd.path, env });

  assert.equal(run.code, 1);
  assert.equal(lines(run.stderr).length, 1);
  assert.doesNotMatch(run.stderr, /s3cret/);
  assert.equal(admin.requests.length, 0);
});

test('secrets ls lists names and times; --json as returned', async (t) => {
  const { admin, cwd, env } = await setUp(t, () => ({ status: 200, body: { secrets: [SECRET] } }));

  const table = await runNimbus(['secrets', 'ls', 'shop'], { cwd: cwd.path, env });
  assert.equal(table.code, 0, table.stderr);
  assert.equal(admin.requests[0]!.path, '/_nimbus/api/v1/apps/shop/secrets');
  assert.deepEqual(lines(table.stdout), [
    'NAME        CREATED               UPDATED',
    'STRIPE_KEY  2026-01-02T03:04:05Z  2026-01-03T03:04:05Z',
  ]);

  const json = await runNimbus(['secrets', 'ls', 'shop', '--json'], { cwd: cwd.path, env });
  assert.deepEqual(JSON.parse(json.stdout), { secrets: [SECRET] });
});

test('secrets rm deletes one secret; a missing one exits 1 with one line', async (t) => {
  const { admin, cwd, env } = await setUp(t, (req) =>
    req.path.endsWith('/GHOST') ? { status: 404, body: { error: { code: 'NIMBUS_ERR_SECRET_NOT_FOUND', message: 'no such secret: shop/GHOST' } } } : { status: 204 });

  const removed = await runNimbus(['secrets', 'rm', 'shop', 'STRIPE_KEY'], { cwd: cwd.path, env });
  assert.equal(removed.code, 0, removed.stderr);
  assert.deepEqual(lines(removed.stdout), ['Removed STRIPE_KEY from shop']);
  assert.equal(admin.requests[0]!.method, 'DELETE');
  assert.equal(admin.requests[0]!.path, '/_nimbus/api/v1/apps/shop/secrets/STRIPE_KEY');

  const missing = await runNimbus(['secrets', 'rm', 'shop', 'GHOST'], { cwd: cwd.path, env });
  assert.equal(missing.code, 1);
  assert.deepEqual(lines(missing.stderr), ['nimbus: no such secret: shop/GHOST']);
});
