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

const CREATED_AT = Date.UTC(2026, 0, 2, 3, 4, 5);
const created = (scope: unknown, label: string | null = null) => ({
  id: '0123456789abcdef', key: 'nbk_0123456789abcdef_secretpart', scope, label, createdAt: CREATED_AT, lastUsedAt: null,
});

test('keys create makes function, producer and admin keys and prints the key once with a note', async (t) => {
  const { admin, cwd, env } = await setUp(t, (req) => ({ status: 201, body: created((JSON.parse(req.body) as { scope: unknown }).scope) }));

  const fn = await runNimbus(['keys', 'create', 'shop/checkout', '--label', 'ci'], { cwd: cwd.path, env });
  assert.equal(fn.code, 0, fn.stderr);
  assert.deepEqual(lines(fn.stdout), ['nbk_0123456789abcdef_secretpart']);
  assert.deepEqual(lines(fn.stderr), ['Created key 0123456789abcdef (function shop/checkout). Store it now: it cannot be shown again.']);

  const app = await runNimbus(['keys', 'create', 'shop'], { cwd: cwd.path, env });
  const producer = await runNimbus(['keys', 'create', '--producer', 'orders, mail'], { cwd: cwd.path, env });
  const adminKey = await runNimbus(['keys', 'create', '--admin', '--json'], { cwd: cwd.path, env });
  for (const run of [app, producer, adminKey]) assert.equal(run.code, 0, run.stderr);
  assert.deepEqual(JSON.parse(adminKey.stdout), created({ kind: 'admin' }));

  assert.deepEqual(admin.requests.map((r) => [r.method, r.path, JSON.parse(r.body)]), [
    ['POST', '/_nimbus/api/v1/keys', { scope: { kind: 'function', app: 'shop', fn: 'checkout' }, label: 'ci' }],
    ['POST', '/_nimbus/api/v1/keys', { scope: { kind: 'function', app: 'shop' } }],
    ['POST', '/_nimbus/api/v1/keys', { scope: { kind: 'producer', queues: ['orders', 'mail'] } }],
    ['POST', '/_nimbus/api/v1/keys', { scope: { kind: 'admin' } }],
  ]);
});

test('keys create --blobs makes a key for the listed buckets, read-write or --read-only', async (t) => {
  const { admin, cwd, env } = await setUp(t, (req) => ({ status: 201, body: created((JSON.parse(req.body) as { scope: unknown }).scope) }));

  const write = await runNimbus(['keys', 'create', '--blobs', 'uploads, avatars'], { cwd: cwd.path, env });
  const read = await runNimbus(['keys', 'create', '--blobs', 'reports', '--read-only'], { cwd: cwd.path, env });
  for (const run of [write, read]) assert.equal(run.code, 0, run.stderr);
  assert.deepEqual(lines(write.stderr), ['Created key 0123456789abcdef (blobs uploads, avatars (read-write)). Store it now: it cannot be shown again.']);
  assert.deepEqual(lines(read.stderr), ['Created key 0123456789abcdef (blobs reports (read-only)). Store it now: it cannot be shown again.']);
  assert.deepEqual(admin.requests.map((r) => JSON.parse(r.body)), [
    { scope: { kind: 'blobs', buckets: ['uploads', 'avatars'], access: 'write' } },
    { scope: { kind: 'blobs', buckets: ['reports'], access: 'read' } },
  ]);

  const stray = await runNimbus(['keys', 'create', 'shop', '--read-only'], { cwd: cwd.path, env });
  assert.equal(stray.code, 1);
  assert.deepEqual(lines(stray.stderr), ['nimbus: --read-only goes with --blobs (a read-only key for the whole admin API is --read) (see "nimbus help keys")']);
  assert.equal(admin.requests.length, 2);
});

test('keys create --read makes a read-only key for the whole admin API', async (t) => {
  const { admin, cwd, env } = await setUp(t, (req) => ({ status: 201, body: created((JSON.parse(req.body) as { scope: unknown }).scope, 'grafana') }));

  const read = await runNimbus(['keys', 'create', '--read', '--label', 'grafana'], { cwd: cwd.path, env });
  assert.equal(read.code, 0, read.stderr);
  assert.deepEqual(lines(read.stdout), ['nbk_0123456789abcdef_secretpart']);
  assert.deepEqual(lines(read.stderr), ['Created key 0123456789abcdef (read). Store it now: it cannot be shown again.']);
  assert.deepEqual(admin.requests.map((r) => JSON.parse(r.body)), [{ scope: { kind: 'read' }, label: 'grafana' }]);
});

test('keys create needs exactly one scope', async (t) => {
  const { admin, cwd, env } = await setUp(t, () => ({ status: 201, body: {} }));

  const none = await runNimbus(['keys', 'create'], { cwd: cwd.path, env });
  const two = await runNimbus(['keys', 'create', 'shop', '--admin'], { cwd: cwd.path, env });
  const readAndAdmin = await runNimbus(['keys', 'create', '--read', '--admin'], { cwd: cwd.path, env });

  for (const run of [none, two, readAndAdmin]) {
    assert.equal(run.code, 1);
    assert.deepEqual(lines(run.stderr), ['nimbus: give exactly one of APP[/FUNCTION], --producer QUEUES, --blobs BUCKETS, --read or --admin (see "nimbus help keys")']);
  }
  assert.equal(admin.requests.length, 0);
});

test('keys ls lists keys, filtered by --app; --json as returned', async (t) => {
  const { id, scope, label, createdAt, lastUsedAt } = created({ kind: 'function', app: 'shop' }, 'ci');
  const keys = [{ id, scope, label, createdAt, lastUsedAt }, { id: 'fedcba9876543210', scope: { kind: 'producer', queues: ['orders'] }, label: null, createdAt, lastUsedAt: createdAt },
    { id: '00000000000000aa', scope: { kind: 'read' }, label: 'console', createdAt, lastUsedAt: null }];
  const { admin, cwd, env } = await setUp(t, () => ({ status: 200, body: { keys } }));

  const table = await runNimbus(['keys', 'ls', '--app', 'shop'], { cwd: cwd.path, env });
  assert.equal(table.code, 0, table.stderr);
  assert.equal(admin.requests[0]!.path, '/_nimbus/api/v1/keys?app=shop');
  assert.deepEqual(lines(table.stdout), [
    'ID                SCOPE                LABEL    CREATED               LAST USED',
    '0123456789abcdef  functions of shop    ci       2026-01-02T03:04:05Z  -',
    'fedcba9876543210  producer for orders  -        2026-01-02T03:04:05Z  2026-01-02T03:04:05Z',
    '00000000000000aa  read                 console  2026-01-02T03:04:05Z  -',
  ]);

  const json = await runNimbus(['keys', 'ls', '--json'], { cwd: cwd.path, env });
  assert.equal(admin.requests[1]!.path, '/_nimbus/api/v1/keys');
  assert.deepEqual(JSON.parse(json.stdout), { keys });
});

test('keys revoke deletes the key; an unknown id exits 1 with one line', async (t) => {
  const { admin, cwd, env } = await setUp(t, (req) =>
    req.path.endsWith('/ghost') ? { status: 404, body: { error: { code: 'NIMBUS_ERR_KEY_NOT_FOUND', message: 'no such key: ghost' } } } : { status: 204 });

  const revoked = await runNimbus(['keys', 'revoke', '0123456789abcdef'], { cwd: cwd.path, env });
  assert.equal(revoked.code, 0, revoked.stderr);
  assert.deepEqual(lines(revoked.stdout), ['Revoked key 0123456789abcdef']);
  assert.equal(admin.requests[0]!.method, 'DELETE');
  assert.equal(admin.requests[0]!.path, '/_nimbus/api/v1/keys/0123456789abcdef');

  const missing = await runNimbus(['keys', 'revoke', 'ghost'], { cwd: cwd.path, env });
  assert.equal(missing.code, 1);
  assert.deepEqual(lines(missing.stderr), ['nimbus: no such key: ghost']);
});
