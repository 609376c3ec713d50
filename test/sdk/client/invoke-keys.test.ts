import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { NimbusClient } from '../../../src/sdk/client/index.js';
import { refusal } from './support/refusal.js';
import { admin } from '../../helpers/admin-client.js';
import { startTestNode, type TestNode } from '../../helpers/test-node.js';

const APP = `
import { http, queue } from 'nimbus-functions';
export const checkout = http({ route: 'POST /checkout', auth: 'key' }, async (req) => ({ got: await req.json(), authorization: req.headers.get('authorization') }));
export const refund = http({ route: 'POST /refund', auth: 'key' }, () => 'refunded');
export const status = http({ route: 'GET /status' }, () => 'open to all');
export const worker = queue({ queue: 'orders' }, async () => {});
`;

describe('NimbusClient.invoke takes a function key, by the same rule as the function\'s route', () => {
  let node: TestNode;
  let checkoutKey: string;

  before(async () => {
    node = await startTestNode();
    const deployed = await node.deploy('shop', { 'index.ts': APP });
    assert.equal(deployed.status, 201, JSON.stringify(deployed.body));
    const created = await admin(node, 'POST', '/keys', { scope: { kind: 'function', app: 'shop', fn: 'checkout' } });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    checkoutKey = created.body.key as string;
  });
  after(() => node?.dispose());

  test('a key for the function invokes it, and the function never sees the key', async () => {
    const response = await new NimbusClient({ url: node.url, key: checkoutKey }).invoke('shop/checkout', { cart: [1] });
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { got: { cart: [1] }, authorization: null });
    // The same key opens the function's own route.
    const direct = await fetch(`${node.url}/checkout`, { method: 'POST', headers: { authorization: `Bearer ${checkoutKey}` }, body: '{}' });
    assert.equal(direct.status, 200);
  });

  test('it opens nothing else: another key-protected function, an event function', async () => {
    const client = new NimbusClient({ url: node.url, key: checkoutKey });
    assert.deepEqual(await refusal(client.invoke('shop/refund')), { status: 403, code: 'NIMBUS_ERR_AUTH_FORBIDDEN' });
    assert.deepEqual(await refusal(client.invoke('shop/worker', { n: 1 })), { status: 403, code: 'NIMBUS_ERR_AUTH_FORBIDDEN' });
  });

  test('an anonymous function needs no key; a key-protected one does; an unknown one says no more than 401', async () => {
    const anonymous = new NimbusClient({ url: node.url });
    assert.equal(await (await anonymous.invoke('shop/status')).text(), 'open to all');
    assert.deepEqual(await refusal(anonymous.invoke('shop/checkout', {})), { status: 401, code: 'NIMBUS_ERR_AUTH_REQUIRED' });
    assert.deepEqual(await refusal(anonymous.invoke('shop/nope', {})), { status: 401, code: 'NIMBUS_ERR_AUTH_REQUIRED' });
  });

  test('the admin key still invokes any function, event functions included', async () => {
    const owner = new NimbusClient({ url: node.url, key: node.adminKey });
    assert.equal(await (await owner.invoke('shop/refund')).text(), 'refunded');
    assert.equal((await owner.invoke('shop/worker', { n: 1 })).status, 200);
  });
});
