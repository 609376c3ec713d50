import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingHttpHeaders } from 'node:http';
import { ApiKeys } from '../../src/auth/api-keys.js';
import { adminApiRequirement, type AuthRequirement, createAuthorizer } from '../../src/auth/authorize.js';
import type { ErrorCode } from '../../src/shared/errors.js';
import { SqliteKeyStore } from '../../src/store/sqlite/sqlite-key-store.js';
import { ManualClock, tempDatabase } from './fixtures.js';

const ADMIN_KEY = 'nbk_admin_test-admin-key';
const URL_ = new URL('http://nimbus.test/fn/shop/checkout');

async function setUp(t: { after: (fn: () => void) => void }) {
  const database = tempDatabase();
  t.after(database.cleanup);
  const clock = new ManualClock();
  const keys = new ApiKeys(new SqliteKeyStore(database.db, clock), clock);
  return {
    authorize: createAuthorizer(ADMIN_KEY, keys),
    shopKey: (await keys.create({ kind: 'function', app: 'shop' })).key,
    checkoutKey: (await keys.create({ kind: 'function', app: 'shop', fn: 'checkout' })).key,
    producerKey: (await keys.create({ kind: 'producer', queues: ['orders'] })).key,
    adminScopedKey: (await keys.create({ kind: 'admin' })).key,
    uploadsKey: (await keys.create({ kind: 'blobs', buckets: ['uploads', 'avatars'], access: 'write' })).key,
    reportsReader: (await keys.create({ kind: 'blobs', buckets: ['reports'], access: 'read' })).key,
    readKey: (await keys.create({ kind: 'read' })).key,
  };
}

const bearer = (key: string): IncomingHttpHeaders => ({ authorization: `Bearer ${key}` });
const invoke = (app: string, fn: string, level: 'anonymous' | 'key' | 'admin' = 'key'): AuthRequirement => ({ kind: 'invoke', app, fn, level });
const ADMIN: AuthRequirement = { kind: 'admin' };
const sendTo = (queue: string): AuthRequirement => ({ kind: 'send', queue });

async function outcome(promise: Promise<unknown>): Promise<'ok' | ErrorCode> {
  try {
    await promise;
    return 'ok';
  } catch (err) {
    return (err as { code: ErrorCode }).code;
  }
}

test('who may do what', async (t) => {
  const { authorize, shopKey, checkoutKey, producerKey, adminScopedKey } = await setUp(t);
  const rows: [string, IncomingHttpHeaders, AuthRequirement, 'ok' | ErrorCode][] = [
    ['no key, anonymous function', {}, invoke('shop', 'checkout', 'anonymous'), 'ok'],
    ['no key, key function', {}, invoke('shop', 'checkout'), 'NIMBUS_ERR_AUTH_REQUIRED'],
    ['no key, admin API', {}, ADMIN, 'NIMBUS_ERR_AUTH_REQUIRED'],
    ['no key, send', {}, sendTo('orders'), 'NIMBUS_ERR_AUTH_REQUIRED'],
    ['invalid key, key function', bearer('nbk_nonsense'), invoke('shop', 'checkout'), 'NIMBUS_ERR_AUTH_INVALID'],
    ['invalid key, admin API', bearer('nbk_admin_guess'), ADMIN, 'NIMBUS_ERR_AUTH_INVALID'],
    ['app key, its function', bearer(shopKey), invoke('shop', 'checkout'), 'ok'],
    ['app key, another app', bearer(shopKey), invoke('blog', 'post'), 'NIMBUS_ERR_AUTH_FORBIDDEN'],
    ['app key, admin-level function', bearer(shopKey), invoke('shop', 'checkout', 'admin'), 'NIMBUS_ERR_AUTH_FORBIDDEN'],
    ['app key, admin API', bearer(shopKey), ADMIN, 'NIMBUS_ERR_AUTH_FORBIDDEN'],
    ['app key, send', bearer(shopKey), sendTo('orders'), 'NIMBUS_ERR_AUTH_FORBIDDEN'],
    ['function key, its function', bearer(checkoutKey), invoke('shop', 'checkout'), 'ok'],
    ['function key, a sibling function', bearer(checkoutKey), invoke('shop', 'refund'), 'NIMBUS_ERR_AUTH_FORBIDDEN'],
    ['producer key, its queue', bearer(producerKey), sendTo('orders'), 'ok'],
    ['producer key, another queue', bearer(producerKey), sendTo('payments'), 'NIMBUS_ERR_AUTH_FORBIDDEN'],
    ['producer key, invoking', bearer(producerKey), invoke('shop', 'checkout'), 'NIMBUS_ERR_AUTH_FORBIDDEN'],
    ['producer key, admin API', bearer(producerKey), ADMIN, 'NIMBUS_ERR_AUTH_FORBIDDEN'],
    ['admin-scoped key, admin API', bearer(adminScopedKey), ADMIN, 'ok'],
    ['admin-scoped key, admin-level function', bearer(adminScopedKey), invoke('shop', 'checkout', 'admin'), 'ok'],
    ['admin key, admin API', bearer(ADMIN_KEY), ADMIN, 'ok'],
    ['admin key, key function', bearer(ADMIN_KEY), invoke('blog', 'post'), 'ok'],
    ['admin key, admin-level function', bearer(ADMIN_KEY), invoke('blog', 'post', 'admin'), 'ok'],
    ['admin key, send anywhere', bearer(ADMIN_KEY), sendTo('payments'), 'ok'],
  ];
  for (const [name, headers, requirement, expected] of rows) {
    assert.equal(await outcome(authorize(headers, URL_, requirement)), expected, name);
  }
});

const blobs = (bucket: string | null, access: 'read' | 'write'): AuthRequirement => ({ kind: 'blobs', bucket, access });

test('blobs keys: their buckets only, read-only keys read only, never anything else', async (t) => {
  const { authorize, uploadsKey, reportsReader, producerKey, shopKey, adminScopedKey } = await setUp(t);
  const rows: [string, IncomingHttpHeaders, AuthRequirement, 'ok' | ErrorCode][] = [
    ['no key, a bucket', {}, blobs('uploads', 'read'), 'NIMBUS_ERR_AUTH_REQUIRED'],
    ['write key, its bucket, read', bearer(uploadsKey), blobs('uploads', 'read'), 'ok'],
    ['write key, its bucket, write', bearer(uploadsKey), blobs('avatars', 'write'), 'ok'],
    ['write key, another bucket', bearer(uploadsKey), blobs('reports', 'read'), 'NIMBUS_ERR_AUTH_FORBIDDEN'],
    ['write key, the list of buckets', bearer(uploadsKey), blobs(null, 'read'), 'ok'],
    ['read key, its bucket, read', bearer(reportsReader), blobs('reports', 'read'), 'ok'],
    ['read key, its bucket, write', bearer(reportsReader), blobs('reports', 'write'), 'NIMBUS_ERR_AUTH_FORBIDDEN'],
    ['blobs key, admin API', bearer(uploadsKey), ADMIN, 'NIMBUS_ERR_AUTH_FORBIDDEN'],
    ['blobs key, invoking', bearer(uploadsKey), invoke('shop', 'checkout'), 'NIMBUS_ERR_AUTH_FORBIDDEN'],
    ['blobs key, send', bearer(uploadsKey), sendTo('orders'), 'NIMBUS_ERR_AUTH_FORBIDDEN'],
    ['producer key, a bucket', bearer(producerKey), blobs('uploads', 'read'), 'NIMBUS_ERR_AUTH_FORBIDDEN'],
    ['app key, a bucket', bearer(shopKey), blobs('uploads', 'read'), 'NIMBUS_ERR_AUTH_FORBIDDEN'],
    ['admin-scoped key, any bucket', bearer(adminScopedKey), blobs('reports', 'write'), 'ok'],
    ['admin key, any bucket', bearer(ADMIN_KEY), blobs('reports', 'write'), 'ok'],
  ];
  for (const [name, headers, requirement, expected] of rows) {
    assert.equal(await outcome(authorize(headers, URL_, requirement)), expected, name);
  }
});

test('read keys: every GET and HEAD of the admin API, whatever the route needs; nothing else', async (t) => {
  const { authorize, readKey, shopKey, uploadsKey } = await setUp(t);
  const reading = (requirement: AuthRequirement, method = 'GET') => adminApiRequirement(method, requirement);
  const rows: [string, IncomingHttpHeaders, AuthRequirement, 'ok' | ErrorCode][] = [
    ['read key, GET of an admin route', bearer(readKey), reading(ADMIN), 'ok'],
    ['read key, HEAD of an admin route', bearer(readKey), reading(ADMIN, 'HEAD'), 'ok'],
    ['read key, GET of a bucket', bearer(readKey), reading(blobs('reports', 'read')), 'ok'],
    ['read key, GET of an async result', bearer(readKey), reading(invoke('shop', 'checkout')), 'ok'],
    ['read key, POST to an admin route', bearer(readKey), reading(ADMIN, 'POST'), 'NIMBUS_ERR_AUTH_FORBIDDEN'],
    ['read key, DELETE', bearer(readKey), reading(ADMIN, 'DELETE'), 'NIMBUS_ERR_AUTH_FORBIDDEN'],
    ['read key, PUT of an object', bearer(readKey), reading(blobs('reports', 'write'), 'PUT'), 'NIMBUS_ERR_AUTH_FORBIDDEN'],
    ['read key, sending', bearer(readKey), sendTo('orders'), 'NIMBUS_ERR_AUTH_FORBIDDEN'],
    ['read key, invoking a key function', bearer(readKey), invoke('shop', 'checkout'), 'NIMBUS_ERR_AUTH_FORBIDDEN'],
    ['read key, /metrics (not the admin API)', bearer(readKey), ADMIN, 'NIMBUS_ERR_AUTH_FORBIDDEN'],
    ['no key, GET', {}, reading(ADMIN), 'NIMBUS_ERR_AUTH_REQUIRED'],
    ['app key, GET of an admin route', bearer(shopKey), reading(ADMIN), 'NIMBUS_ERR_AUTH_FORBIDDEN'],
    ['blobs key, GET of its bucket still', bearer(uploadsKey), reading(blobs('uploads', 'read')), 'ok'],
    ['admin key, GET', bearer(ADMIN_KEY), reading(ADMIN), 'ok'],
  ];
  for (const [name, headers, requirement, expected] of rows) {
    assert.equal(await outcome(authorize(headers, URL_, requirement)), expected, name);
  }
  await assert.rejects(authorize(bearer(readKey), URL_, reading(ADMIN, 'POST')), { status: 403, message: /a read-only key cannot do this/ });
  // What the route alone allows still holds when reading: no key for an anonymous one, ?key= where invoking takes it.
  assert.equal(await authorize({}, URL_, reading(invoke('shop', 'checkout', 'anonymous'))), undefined);
  const withQueryKey = new URL(`http://nimbus.test/_nimbus/api/v1/invocations/x?key=${readKey}`);
  assert.deepEqual(await authorize({}, withQueryKey, reading(invoke('shop', 'checkout'))), { kind: 'read' });
  await assert.rejects(authorize(bearer(shopKey), URL_, reading(ADMIN)), { status: 403, message: /needs the admin key/ });
});

test('authorize resolves with the scope the request came in with', async (t) => {
  const { authorize, reportsReader } = await setUp(t);
  assert.deepEqual(await authorize(bearer(ADMIN_KEY), URL_, ADMIN), { kind: 'admin' });
  assert.deepEqual(await authorize(bearer(reportsReader), URL_, blobs(null, 'read')), { kind: 'blobs', buckets: ['reports'], access: 'read' });
  assert.equal(await authorize({}, URL_, invoke('shop', 'checkout', 'anonymous')), undefined);
});

test('failures carry their HTTP status and say what was needed', async (t) => {
  const { authorize, producerKey } = await setUp(t);
  await assert.rejects(authorize({}, URL_, invoke('shop', 'checkout')), { status: 401, message: /shop\/checkout needs a key for app shop/ });
  await assert.rejects(authorize(bearer('nbk_x'), URL_, ADMIN), { status: 401, code: 'NIMBUS_ERR_AUTH_INVALID' });
  await assert.rejects(authorize(bearer(producerKey), URL_, sendTo('payments')), { status: 403, message: /queue payments/ });
});

test('the key may come as a Bearer token, an x-nimbus-key header, or ?key= when invoking', async (t) => {
  const { authorize, shopKey } = await setUp(t);
  const withQuery = new URL(`http://nimbus.test/fn/shop/checkout?key=${encodeURIComponent(shopKey)}`);
  assert.equal(await outcome(authorize({ authorization: `bearer  ${shopKey}` }, URL_, invoke('shop', 'checkout'))), 'ok');
  assert.equal(await outcome(authorize({ 'x-nimbus-key': shopKey }, URL_, invoke('shop', 'checkout'))), 'ok');
  assert.equal(await outcome(authorize({ 'x-nimbus-key': ADMIN_KEY }, URL_, ADMIN)), 'ok');
  assert.equal(await outcome(authorize({}, withQuery, invoke('shop', 'checkout'))), 'ok');
  // The query form is for invoking only: admin and send requests ignore it.
  const adminInQuery = new URL(`http://nimbus.test/_nimbus/api/v1/apps?key=${ADMIN_KEY}`);
  assert.equal(await outcome(authorize({}, adminInQuery, ADMIN)), 'NIMBUS_ERR_AUTH_REQUIRED');
  assert.equal(await outcome(authorize({}, adminInQuery, sendTo('orders'))), 'NIMBUS_ERR_AUTH_REQUIRED');
  // A non-Bearer Authorization header (the function's own Basic auth, say) does not hide x-nimbus-key.
  assert.equal(await outcome(authorize({ authorization: 'Basic dXNlcjpwYXNz', 'x-nimbus-key': shopKey }, URL_, invoke('shop', 'checkout'))), 'ok');
});
