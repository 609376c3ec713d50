import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { admin } from '../helpers/admin-client.js';
import { startTestNode, type TestNode } from '../helpers/test-node.js';

describe('GET /whoami tells any valid key its own scope', () => {
  let node: TestNode;
  before(async () => {
    node = await startTestNode();
    await node.deploy('who', { 'index.ts': "import { http } from 'nimbus-functions';\nexport const hi = http({ route: 'GET /who-hi' }, () => 'hi');\n" });
  });
  after(() => node.dispose());

  const whoami = (key?: string) => admin({ url: node.url, adminKey: key ?? '' }, 'GET', '/whoami');

  test('the admin key is {kind: admin}', async () => {
    const answer = await admin(node, 'GET', '/whoami');
    assert.equal(answer.status, 200);
    assert.deepEqual(answer.body, { scope: { kind: 'admin' } });
  });

  test('a scoped key hears its scope, though it may use no other admin route', async () => {
    const created = await admin(node, 'POST', '/keys', { scope: { kind: 'blobs', buckets: ['photos'], access: 'read' }, label: 'who' });
    assert.equal(created.status, 201);
    const answer = await whoami(created.body.key);
    assert.equal(answer.status, 200);
    assert.deepEqual(answer.body, { scope: { kind: 'blobs', buckets: ['photos'], access: 'read' } });
    const apps = await admin({ url: node.url, adminKey: created.body.key }, 'GET', '/apps');
    assert.equal(apps.status, 403);
  });

  test('no key or a wrong key is 401 with the API error', async () => {
    const none = await fetch(`${node.url}/_nimbus/api/v1/whoami`);
    assert.equal(none.status, 401);
    assert.equal(((await none.json()) as { error: { code: string } }).error.code, 'NIMBUS_ERR_AUTH_REQUIRED');
    const wrong = await whoami('nope');
    assert.equal(wrong.status, 401);
    assert.equal(wrong.body.error.code, 'NIMBUS_ERR_AUTH_INVALID');
  });
});
