import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { AppSecrets } from '../../src/auth/app-secrets.js';
import { SecretBox } from '../../src/auth/secret-box.js';
import { addSecretsApi } from '../../src/auth/secrets-api.js';
import { AdminRouter } from '../../src/gateway/admin-router.js';
import { segmentCaller } from '../helpers/admin-route-call.js';
import { SqliteSecretStore } from '../../src/store/sqlite/sqlite-secret-store.js';
import { ManualClock, tempDatabase } from './fixtures.js';

function setUp(t: { after: (fn: () => void) => void }) {
  const database = tempDatabase();
  t.after(database.cleanup);
  const clock = new ManualClock();
  const secrets = new AppSecrets(new SqliteSecretStore(database.db, clock), new SecretBox(randomBytes(32)));
  const router = new AdminRouter();
  addSecretsApi(router, secrets);
  return { clock, secrets, api: segmentCaller(router) };
}

test('PUT, GET and DELETE /apps/<app>/secrets/<NAME>; values are never returned', async (t) => {
  const { api, secrets, clock } = setUp(t);
  const now = clock.now();
  assert.deepEqual(await api('PUT', ['apps', 'shop', 'secrets', 'TOKEN'], { value: 's3cr3t' }), {
    status: 200,
    body: { secret: { name: 'TOKEN', createdAt: now, updatedAt: now } },
  });
  const listed = await api('GET', ['apps', 'shop', 'secrets'], undefined);
  assert.deepEqual(listed, { status: 200, body: { secrets: [{ name: 'TOKEN', createdAt: now, updatedAt: now }], nextCursor: null } });
  assert.ok(!JSON.stringify(listed).includes('s3cr3t'));
  assert.deepEqual(await secrets.resolve('shop'), { TOKEN: 's3cr3t' });

  assert.deepEqual(await api('DELETE', ['apps', 'shop', 'secrets', 'TOKEN'], undefined), { status: 204, body: null });
  await assert.rejects(api('DELETE', ['apps', 'shop', 'secrets', 'TOKEN'], undefined), { status: 404 });
});

test('bad input is a 400 naming the field; unknown paths and methods are 404 and 405', async (t) => {
  const { api } = setUp(t);
  await assert.rejects(api('PUT', ['apps', 'shop', 'secrets', 'TOKEN'], {}), { status: 400, details: { field: 'value' } });
  await assert.rejects(api('PUT', ['apps', 'shop', 'secrets', 'TOKEN'], { value: 42 }), { status: 400, details: { field: 'value' } });
  await assert.rejects(api('PUT', ['apps', 'shop', 'secrets', 'TOKEN'], 'raw'), { status: 400, details: { field: 'body' } });
  await assert.rejects(api('PUT', ['apps', 'shop', 'secrets', 'BAD-NAME'], { value: 'v' }), { status: 400, details: { field: 'name' } });
  await assert.rejects(api('GET', ['apps', 'Shop', 'secrets'], undefined), { status: 400, details: { field: 'app' } });
  await assert.rejects(api('POST', ['apps', 'shop', 'secrets'], undefined), { status: 405, code: 'NIMBUS_ERR_METHOD_NOT_ALLOWED' });
  await assert.rejects(api('GET', ['apps', 'shop', 'secrets', 'TOKEN'], undefined), { status: 405 });
  await assert.rejects(api('GET', ['apps', 'shop', 'versions'], undefined), { status: 404, code: 'NIMBUS_ERR_API_NOT_FOUND' });
});
