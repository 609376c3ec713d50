import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiKeys } from '../../src/auth/api-keys.js';
import { addKeysApi } from '../../src/auth/keys-api.js';
import { AdminRouter } from '../../src/gateway/admin-router.js';
import { segmentCaller } from '../helpers/admin-route-call.js';
import { SqliteKeyStore } from '../../src/store/sqlite/sqlite-key-store.js';
import { ManualClock, tempDatabase } from './fixtures.js';

function setUp(t: { after: (fn: () => void) => void }) {
  const database = tempDatabase();
  t.after(database.cleanup);
  const clock = new ManualClock();
  const keys = new ApiKeys(new SqliteKeyStore(database.db, clock), clock);
  const router = new AdminRouter();
  addKeysApi(router, keys);
  return { clock, keys, api: segmentCaller(router) };
}

test('POST /keys answers 201 with the key, shown this once; GET /keys lists without it; DELETE revokes', async (t) => {
  const { api, keys, clock } = setUp(t);
  const created = await api('POST', ['keys'], { scope: { kind: 'function', app: 'shop', fn: 'checkout' }, label: 'web' });
  assert.equal(created.status, 201);
  const body = created.body as { id: string; key: string };
  assert.deepEqual(await keys.verify(body.key), { kind: 'function', app: 'shop', fn: 'checkout' });

  await api('POST', ['keys'], { scope: { kind: 'producer', queues: ['orders', 'orders'] } });
  const all = await api('GET', ['keys'], undefined, new URLSearchParams());
  assert.equal((all.body as { keys: unknown[] }).keys.length, 2);
  assert.ok(!JSON.stringify(all).includes(body.key.slice(-43)));
  assert.deepEqual(await api('GET', ['keys'], undefined, new URLSearchParams('app=shop')), {
    status: 200,
    body: { keys: [{ id: body.id, scope: { kind: 'function', app: 'shop', fn: 'checkout' }, label: 'web', createdAt: clock.now(), lastUsedAt: clock.now() }], nextCursor: null },
  });

  assert.deepEqual(await api('DELETE', ['keys', body.id], undefined), { status: 204, body: null });
  assert.equal(await keys.verify(body.key), undefined);
  await assert.rejects(api('DELETE', ['keys', body.id], undefined), { status: 404 });
});

test('a producer key names its queues once each', async (t) => {
  const { api } = setUp(t);
  const created = await api('POST', ['keys'], { scope: { kind: 'producer', queues: ['orders', 'orders', 'mail'] } });
  assert.deepEqual((created.body as { scope: unknown }).scope, { kind: 'producer', queues: ['orders', 'mail'] });
});

test('bad input is a 400 naming the field', async (t) => {
  const { api } = setUp(t);
  await assert.rejects(api('POST', ['keys'], {}), { status: 400, details: { field: 'scope' } });
  await assert.rejects(api('POST', ['keys'], { scope: { kind: 'root' } }), { status: 400, details: { field: 'scope.kind' } });
  await assert.rejects(api('POST', ['keys'], { scope: { kind: 'function' } }), { status: 400, details: { field: 'scope.app' } });
  await assert.rejects(api('POST', ['keys'], { scope: { kind: 'producer', queues: ['ok', 'bad queue'] } }), {
    status: 400,
    details: { field: 'scope.queues.1' },
  });
  await assert.rejects(api('POST', ['keys'], { scope: { kind: 'blobs', buckets: ['uploads'] } }), { status: 400, details: { field: 'scope.access' } });
  await assert.rejects(api('POST', ['keys'], { scope: { kind: 'blobs', buckets: ['Uploads'], access: 'read' } }), { status: 400, details: { field: 'scope.buckets.0' } });
  await assert.rejects(api('POST', ['keys'], { scope: { kind: 'blobs', buckets: ['a..b'], access: 'read' } }), { status: 400, details: { field: 'scope.buckets.0' } });
  await assert.rejects(api('POST', ['keys'], { scope: { kind: 'blobs', buckets: [], access: 'write' } }), { status: 400, details: { field: 'scope.buckets' } });
  await assert.rejects(api('POST', ['keys'], { scope: { kind: 'blobs', buckets: ['uploads'], access: 'admin' } }), { status: 400, details: { field: 'scope.access' } });
  await assert.rejects(api('POST', ['keys'], { scope: { kind: 'admin' }, label: 7 }), { status: 400, details: { field: 'label' } });
  await assert.rejects(api('POST', ['keys'], { scope: { kind: 'admin' }, extra: true }), { status: 400 });
  await assert.rejects(api('GET', ['keys'], undefined, new URLSearchParams('app=')), { status: 400, details: { field: 'app' } });
  await assert.rejects(api('PUT', ['keys'], {}), { status: 405 });
  await assert.rejects(api('GET', ['keys', 'abc', 'x'], undefined), { status: 404 });
});
