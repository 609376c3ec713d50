import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { admin, eventually } from '../helpers/admin-client.js';
import { startTestNode, type TestNode } from '../helpers/test-node.js';

// What an exception message often carries: a connection string with its password.
const SECRET = 'postgres://orders:hunter2-s3cret@db.internal:5432/orders';

const APP = `import { http } from 'nimbus-functions';

export const leaky = http({ route: 'GET /leaky' }, () => {
  throw new Error('cannot connect to ${SECRET}');
});

export const slow = http({ route: 'GET /slow', timeoutMs: 200 }, () => new Promise(() => {}));
`;

interface ErrorBody {
  error: { code: string; message: string; invocationId?: string };
}

async function call(url: string, init?: RequestInit): Promise<{ status: number; text: string; body: ErrorBody; id: string | null }> {
  const res = await fetch(url, init);
  const text = await res.text();
  return { status: res.status, text, body: JSON.parse(text) as ErrorBody, id: res.headers.get('x-nimbus-invocation-id') };
}

function invoke(node: TestNode, fn: string, key?: string): Promise<{ status: number; text: string; body: ErrorBody; id: string | null }> {
  return call(`${node.url}/_nimbus/api/v1/apps/leaks/functions/${fn}/invoke`, {
    method: 'POST', headers: { 'x-nimbus-method': 'GET', ...(key ? { authorization: `Bearer ${key}` } : {}) },
  });
}

describe('a failed function, answered to its callers', () => {
  let node: TestNode;
  const logs: { invocationId: string | null; message: string }[] = [];
  before(async () => {
    node = await startTestNode();
    node.onFunctionLog((line) => logs.push(line));
    const deployed = await node.deploy('leaks', { 'index.ts': APP });
    assert.equal(deployed.status, 201, JSON.stringify(deployed.body));
  });
  after(() => node.dispose());

  test('a route answers 500 with the kind of failure and the invocation id, never the exception\'s message', async () => {
    const answer = await call(`${node.url}/leaky`);
    assert.equal(answer.status, 500);
    assert.equal(answer.body.error.code, 'NIMBUS_ERR_FUNCTION_ERROR');
    assert.doesNotMatch(answer.text, /hunter2|postgres:|cannot connect|at /);
    assert.ok(answer.id, 'the invocation id header');
    assert.equal(answer.body.error.invocationId, answer.id);
    assert.equal(answer.body.error.message, `the function threw an error: its logs have the details under invocation ${answer.id}`);
    // The developer reads the message, with its stack, in the function's logs under that id.
    await eventually(() => logs.some((l) => l.invocationId === answer.id && l.message.includes(`cannot connect to ${SECRET}`) && /index\.ts:4:\d+/.test(l.message)), 10_000, 'the logged error');
  });

  test('a timeout says so, with the invocation id', async () => {
    const answer = await call(`${node.url}/slow`);
    assert.equal(answer.status, 504);
    assert.equal(answer.body.error.code, 'NIMBUS_ERR_FUNCTION_TIMEOUT');
    assert.equal(answer.body.error.invocationId, answer.id);
    assert.match(answer.body.error.message, /^the function did not finish within its timeout: its logs have the details under invocation /);
  });

  test('the admin key sees the message, on the invoke endpoint, /fn/ (nimbus invoke) and the route itself', async () => {
    const auth = { headers: { authorization: `Bearer ${node.adminKey}` } };
    for (const answer of [await invoke(node, 'leaky', node.adminKey), await call(`${node.url}/fn/leaks/leaky`, auth), await call(`${node.url}/leaky`, auth)]) {
      assert.equal(answer.status, 500);
      assert.equal(answer.body.error.code, 'NIMBUS_ERR_FUNCTION_ERROR');
      assert.equal(answer.body.error.message, `the function threw an error: cannot connect to ${SECRET}`);
      assert.equal(answer.body.error.invocationId, answer.id);
      assert.doesNotMatch(answer.text, /at /, 'the stack stays in the logs');
    }
  });

  test('no key, a wrong key or a function key for it: the invoke endpoint hides the message as the route does', async () => {
    const created = await admin(node, 'POST', '/keys', { scope: { kind: 'function', app: 'leaks' } });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    for (const key of [undefined, 'not-the-admin-key', created.body.key as string]) {
      for (const answer of [await invoke(node, 'leaky', key), await call(`${node.url}/fn/leaks/leaky`, key ? { headers: { authorization: `Bearer ${key}` } } : {})]) {
        assert.equal(answer.status, 500, String(key));
        assert.equal(answer.body.error.code, 'NIMBUS_ERR_FUNCTION_ERROR');
        assert.doesNotMatch(answer.text, /hunter2|cannot connect/, String(key));
        assert.equal(answer.body.error.invocationId, answer.id);
      }
    }
  });
});

describe('a failed function on a node that shows function errors (nimbus dev)', () => {
  let node: TestNode;
  before(async () => {
    node = await startTestNode({ showFunctionErrors: true });
    const deployed = await node.deploy('leaks', { 'index.ts': APP });
    assert.equal(deployed.status, 201, JSON.stringify(deployed.body));
  });
  after(() => node.dispose());

  test('a route answers with the message: the developer is the caller', async () => {
    const answer = await call(`${node.url}/leaky`);
    assert.equal(answer.status, 500);
    assert.equal(answer.body.error.message, `the function threw an error: cannot connect to ${SECRET}`);
    assert.equal(answer.body.error.invocationId, answer.id);
    assert.doesNotMatch(answer.text, /at /, 'the stack stays in the logs');
  });
});
