/**
 * The budgets admin API on a real node over HTTP: CRUD, validation, 404 and
 * 409, what a read key may do, and the deploy and rollback check.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { admin } from '../helpers/admin-client.js';
import { bundleFiles } from '../helpers/bundle.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { startTestNode, type TestNode } from '../helpers/test-node.js';

const shopApp = (uses: string[] | null, tag = '') => `
import { http, queue } from 'nimbus-functions';
export const checkout = http({ route: 'POST /budgets-checkout'${uses ? `, uses: ${JSON.stringify(uses)}` : ''} }, () => ({ ok: true }));
export const settle = queue({ queue: 'budget-settlements'${uses ? `, uses: ['orders-db']` : ''} }, async () => {});
// ${tag}
`;

describe('the budgets admin API on a real node', () => {
  let node: TestNode;
  let readKey: string;
  const folder = makeTempDir('nimbus-budget-apps-');
  let builds = 0;
  /** Deploys like `nimbus deploy` does, with the query given. */
  const deploy = async (app: string, source: string, query = '') => {
    const { bundle, sourceMap } = await bundleFiles(`${folder.dir}/${app}-${builds++}`, { 'index.ts': source });
    return admin(node, 'POST', `/apps/${app}/versions${query}`, { bundle, sourceMap });
  };
  const asReader = (method: string, path: string, body?: unknown) =>
    fetch(`${node.url}/_nimbus/api/v1${path}`, {
      method, headers: { authorization: `Bearer ${readKey}`, 'content-type': 'application/json' }, ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });

  before(async () => {
    node = await startTestNode();
    const created = await admin(node, 'POST', '/keys', { scope: { kind: 'read' }, label: 'budgets-reader' });
    assert.equal(created.status, 201);
    readKey = created.body.key;
  });
  after(async () => {
    await node.dispose();
    folder.remove();
  });

  test('PUT creates (201) and changes (200), GET reads one and all, DELETE removes (204); an unknown budget is 404 naming it', async () => {
    const created = await admin(node, 'PUT', '/budgets/crud-db', { concurrency: 20, rate: { perSecond: 200, burst: 50 } });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.deepEqual({ ...created.body.budget, createdAt: 0, updatedAt: 0 }, {
      name: 'crud-db', concurrency: 20, rate: { perSecond: 200, burst: 50 }, adaptive: null, createdAt: 0, updatedAt: 0, usedBy: [],
      state: { name: 'crud-db', limit: 20, inUse: 0, waiting: 0, throttled: 0 },
    });
    const changed = await admin(node, 'PUT', '/budgets/crud-db', { concurrency: 8, adaptive: { min: 2 } });
    assert.equal(changed.status, 200);
    assert.deepEqual([changed.body.budget.concurrency, changed.body.budget.rate, changed.body.budget.adaptive], [8, { perSecond: 200, burst: 50 }, { min: 2, max: 8 }]);
    assert.equal(changed.body.budget.createdAt, created.body.budget.createdAt);

    assert.deepEqual((await admin(node, 'GET', '/budgets/crud-db')).body, { budget: changed.body.budget });
    const listed = await admin(node, 'GET', '/budgets');
    assert.equal(listed.status, 200);
    assert.deepEqual(listed.body.budgets.find((b: { name: string }) => b.name === 'crud-db'), changed.body.budget);
    assert.equal(listed.body.nextCursor, null);

    assert.equal((await admin(node, 'DELETE', '/budgets/crud-db')).status, 204);
    for (const method of ['GET', 'DELETE']) {
      const gone = await admin(node, method, '/budgets/crud-db');
      assert.equal(gone.status, 404, method);
      assert.equal(gone.body.error.code, 'NIMBUS_ERR_BUDGET_NOT_FOUND');
      assert.equal(gone.body.error.message, 'no such budget: crud-db');
    }
  });

  test('bad settings are 400s with a JSON error naming the field, and change nothing', async () => {
    assert.equal((await admin(node, 'PUT', '/budgets/valid-db', { concurrency: 4 })).status, 201);
    const cases: [unknown, string][] = [
      [{ concurrency: 0 }, 'concurrency'],
      [{ concurrency: 100_001 }, 'concurrency'],
      [{ concurrency: 1.5 }, 'concurrency'],
      [{ rate: { perSecond: 0 } }, 'rate.perSecond'],
      [{ rate: { perSecond: 1_000_001 } }, 'rate.perSecond'],
      [{ rate: { perSecond: 10, burst: 0 } }, 'rate.burst'],
      [{ rate: { burst: 3 } }, 'rate.perSecond'],
      [{ adaptive: { max: 5 } }, 'adaptive.max'],
      [{ adaptive: { min: 3, max: 2 } }, 'adaptive.min'],
      [{ adaptive: { min: 0 } }, 'adaptive.min'],
    ];
    for (const [body, field] of cases) {
      const answer = await admin(node, 'PUT', '/budgets/valid-db', body);
      assert.equal(answer.status, 400, JSON.stringify(body));
      assert.equal(answer.body.error.code, 'NIMBUS_ERR_BODY_INVALID', JSON.stringify(body));
      assert.equal(answer.body.error.field, field, JSON.stringify(body));
      assert.match(answer.body.error.message, new RegExp(`${field.replace('.', '\\.')}: `));
    }
    const missing = await admin(node, 'PUT', '/budgets/new-db', { rate: { perSecond: 5 } });
    assert.deepEqual([missing.status, missing.body.error.field, missing.body.error.message], [400, 'concurrency', 'the request body is not valid: concurrency: is required to create a budget']);
    const badName = await admin(node, 'PUT', '/budgets/Orders_DB', { concurrency: 1 });
    assert.deepEqual([badName.status, badName.body.error.code], [400, 'NIMBUS_ERR_BUDGET_INVALID_NAME']);
    assert.match(badName.body.error.message, /"Orders_DB"/);
    const { body } = await admin(node, 'GET', '/budgets/valid-db');
    assert.deepEqual([body.budget.concurrency, body.budget.rate, body.budget.adaptive], [4, null, null], 'nothing changed');
    assert.equal((await admin(node, 'GET', '/budgets/new-db')).status, 404, 'nothing created');
  });

  test('a read key may GET budgets; PUT and DELETE are 403', async () => {
    assert.equal((await admin(node, 'PUT', '/budgets/read-db', { concurrency: 3 })).status, 201);
    const list = await asReader('GET', '/budgets');
    assert.equal(list.status, 200);
    assert.ok(((await list.json()) as { budgets: { name: string }[] }).budgets.some((b) => b.name === 'read-db'));
    assert.equal((await asReader('GET', '/budgets/read-db')).status, 200);
    for (const [method, body] of [['PUT', { concurrency: 9 }], ['DELETE', undefined]] as const) {
      const refused = await asReader(method, '/budgets/read-db', body);
      assert.equal(refused.status, 403, method);
      assert.equal(((await refused.json()) as { error: { code: string } }).error.code, 'NIMBUS_ERR_AUTH_FORBIDDEN');
    }
    assert.equal((await admin(node, 'GET', '/budgets/read-db')).body.budget.concurrency, 3);
  });

  test('a deploy naming a missing budget is refused naming function and budget; createBudgets=1 creates it; in use it cannot be removed', async () => {
    assert.equal((await admin(node, 'PUT', '/budgets/orders-db', { concurrency: 20 })).status, 201);
    const refused = await deploy('shop', shopApp(['orders-db', 'payments-api', 'search-api']));
    assert.equal(refused.status, 400, JSON.stringify(refused.body));
    assert.equal(refused.body.error.code, 'NIMBUS_ERR_BUDGET_UNKNOWN');
    assert.match(refused.body.error.message, /shop was not deployed: checkout uses payments-api, search-api\. Create them first .*--create-budgets/);
    assert.deepEqual(refused.body.error.missing, [{ function: 'checkout', budgets: ['payments-api', 'search-api'] }]);
    assert.equal((await admin(node, 'GET', '/apps/shop')).status, 404, 'no version was made');

    const badFlag = await deploy('shop', shopApp(['orders-db']), '?createBudgets=maybe');
    assert.deepEqual([badFlag.status, badFlag.body.error.code, badFlag.body.error.field], [400, 'NIMBUS_ERR_QUERY_INVALID', 'createBudgets']);

    const created = await deploy('shop', shopApp(['orders-db', 'payments-api', 'search-api']), '?createBudgets=1');
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.deepEqual(created.body.createdBudgets, ['payments-api', 'search-api']);
    for (const name of ['payments-api', 'search-api']) {
      const { body } = await admin(node, 'GET', `/budgets/${name}`);
      assert.deepEqual([body.budget.concurrency, body.budget.rate, body.budget.adaptive], [10, null, null], `${name} has the documented defaults`);
    }
    assert.deepEqual((await admin(node, 'GET', '/budgets/orders-db')).body.budget.usedBy, [{ app: 'shop', function: 'checkout' }, { app: 'shop', function: 'settle' }]);

    const inUse = await admin(node, 'DELETE', '/budgets/orders-db');
    assert.equal(inUse.status, 409);
    assert.equal(inUse.body.error.code, 'NIMBUS_ERR_BUDGET_IN_USE');
    assert.match(inUse.body.error.message, /orders-db is used by shop\/checkout, shop\/settle/);
    assert.equal((await admin(node, 'GET', '/budgets/orders-db')).status, 200, 'still there');

    // A later version without budgets frees them; a rollback to the version naming a removed one is refused.
    const plain = await deploy('shop', shopApp(null, 'v2'));
    assert.equal(plain.status, 201);
    assert.deepEqual(plain.body.createdBudgets, []);
    assert.equal((await admin(node, 'DELETE', '/budgets/search-api')).status, 204);
    const rollback = await admin(node, 'POST', '/apps/shop/rollback', { to: created.body.version });
    assert.equal(rollback.status, 400, JSON.stringify(rollback.body));
    assert.equal(rollback.body.error.code, 'NIMBUS_ERR_BUDGET_UNKNOWN');
    assert.match(rollback.body.error.message, new RegExp(`shop v${created.body.version} cannot go live again: checkout uses search-api\\.`));
    assert.equal((await admin(node, 'GET', '/apps/shop')).body.app.liveVersion, plain.body.version, 'the live version stays');
    assert.equal((await admin(node, 'PUT', '/budgets/search-api', { concurrency: 2 })).status, 201);
    assert.equal((await admin(node, 'POST', '/apps/shop/rollback', { to: created.body.version })).status, 200, 'with the budget back the rollback goes through');
  });
});
