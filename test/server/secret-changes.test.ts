import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { admin } from '../helpers/admin-client.js';
import { startTestNode, type TestNode } from '../helpers/test-node.js';

const APP = `
import { http } from 'nimbus-functions';
export const greet = http({ route: 'GET /greet', minInstances: 1 }, (req, ctx) => ({ env: process.env.GREETING ?? null, ctx: ctx.env.GREETING ?? null }));
`;

describe('changing an app secret', () => {
  let node: TestNode;
  before(async () => {
    node = await startTestNode();
    const deployed = await node.deploy('greeter', { 'index.ts': APP });
    assert.equal(deployed.status, 201, JSON.stringify(deployed.body));
  });
  after(() => node.dispose());

  test('reaches the live version without a redeploy: new instances start with the new env', async () => {
    const greet = async (): Promise<unknown> => (await fetch(`${node.url}/greet`)).json();
    assert.deepEqual(await greet(), { env: null, ctx: null });
    assert.equal((await admin(node, 'PUT', '/apps/greeter/secrets/GREETING', { value: 'hello' })).status, 200);
    assert.deepEqual(await greet(), { env: 'hello', ctx: 'hello' });
    assert.equal((await admin(node, 'PUT', '/apps/greeter/secrets/GREETING', { value: 'bonjour' })).status, 200);
    assert.deepEqual(await greet(), { env: 'bonjour', ctx: 'bonjour' });
    assert.equal((await admin(node, 'DELETE', '/apps/greeter/secrets/GREETING')).status, 204);
    assert.deepEqual(await greet(), { env: null, ctx: null });
  });
});
