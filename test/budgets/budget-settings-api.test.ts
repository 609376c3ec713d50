/**
 * The budgets API over its router (no HTTP): what a PUT leaves a budget with
 * (fields left out are kept), and that every write tells the limiter which
 * budget changed. The HTTP behaviour (auth, 409 in use, deploys) is in
 * budgets-api.test.ts against a real node.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addBudgetsApi } from '../../src/budgets/budgets-api.js';
import type { BudgetControl, BudgetState } from '../../src/budgets/budget.js';
import { AdminRouter } from '../../src/gateway/admin-router.js';
import { SqliteBudgetStore } from '../../src/store/sqlite/sqlite-budget-store.js';
import type { VersionRecord } from '../../src/store/store.js';
import { resolveSettings } from '../../src/triggers/function-settings.js';
import { routeCaller } from '../helpers/admin-route-call.js';
import { freshSqliteStore } from '../store/sqlite/helpers.js';

function recordingControl(states: BudgetState[] = []): BudgetControl & { changes: string[] } {
  const changes: string[] = [];
  return { changes, changed: async (name) => void changes.push(name), states: () => states };
}

async function setUp(t: { after(fn: () => Promise<void>): void }, options: { states?: BudgetState[]; live?: VersionRecord[] } = {}) {
  const harness = await freshSqliteStore((db, clock) => new SqliteBudgetStore(db, clock))();
  t.after(() => harness.close());
  const control = recordingControl(options.states);
  const router = new AdminRouter();
  const live = options.live ?? [];
  addBudgetsApi(router, { store: harness.store, control, live: () => live, liveInStore: async () => live, serialized: (work) => work() });
  const call = routeCaller(router);
  const put = async (name: string, body: unknown) => ((await call('PUT', `/budgets/${name}`, body)).body as { budget: Record<string, unknown> }).budget;
  return { call, put, control, clock: harness.clock };
}

const version = (app: string, uses: Record<string, string[]>): VersionRecord => ({
  app, version: 1, bundleHash: 'h', sourceMapHash: null, bundleSize: 1, createdAt: 0,
  functions: Object.entries(uses).map(([name, budgets]) => ({
    name, kind: 'http', trigger: {},
    settings: resolveSettings('http', { uses: budgets }),
  })),
});

test('a PUT changes only what it gives; null turns a rate or adaptive limits off; every write is told to the limiter', async (t) => {
  const { call, put, control, clock } = await setUp(t);
  const created = await call('PUT', '/budgets/orders-db', { concurrency: 20, rate: { perSecond: 200 } });
  assert.equal(created.status, 201);
  assert.deepEqual((created.body as { budget: unknown }).budget, {
    name: 'orders-db', concurrency: 20, rate: { perSecond: 200, burst: 200 }, adaptive: null,
    createdAt: clock.now(), updatedAt: clock.now(), state: null, usedBy: [],
  });
  await clock.advance(1_000);

  const adaptive = await call('PUT', '/budgets/orders-db', { adaptive: true });
  assert.equal(adaptive.status, 200, 'an existing budget is changed, not created');
  assert.deepEqual((adaptive.body as { budget: Record<string, unknown> }).budget['rate'], { perSecond: 200, burst: 200 }, 'the rate, left out, is kept');
  assert.deepEqual((adaptive.body as { budget: Record<string, unknown> }).budget['adaptive'], { min: 1, max: 20 }, 'adaptive: true is 1 to the concurrency');
  assert.equal((adaptive.body as { budget: Record<string, unknown> }).budget['updatedAt'], clock.now());

  assert.deepEqual((await put('orders-db', { concurrency: 40 }))['adaptive'], { min: 1, max: 40 }, 'a max that was the concurrency follows it');
  assert.deepEqual((await put('orders-db', { adaptive: { max: 30 } }))['adaptive'], { min: 1, max: 30 }, 'a bound given alone keeps the other');
  assert.deepEqual((await put('orders-db', { concurrency: 50 }))['adaptive'], { min: 1, max: 30 }, 'a max set apart from the concurrency stays');
  assert.deepEqual((await put('orders-db', { rate: { perSecond: 0.5 } }))['rate'], { perSecond: 0.5, burst: 1 }, 'a new rate without burst gets one second of starts, at least 1');
  const off = await put('orders-db', { rate: null, adaptive: false });
  assert.deepEqual([off['concurrency'], off['rate'], off['adaptive']], [50, null, null]);
  assert.deepEqual((await put('orders-db', { adaptive: { min: 5 } }))['adaptive'], { min: 5, max: 50 }, 'bounds on a budget that had none: max is the concurrency');
  assert.deepEqual((await put('orders-db', { adaptive: null }))['adaptive'], null);

  assert.equal((await call('DELETE', '/budgets/orders-db')).status, 204);
  assert.deepEqual(control.changes, Array(10).fill('orders-db'), 'one change per write: 9 PUTs and the DELETE');
});

test('cross-field rules and a create without concurrency are 400s naming the field; refused writes tell the limiter nothing', async (t) => {
  const { call, control } = await setUp(t);
  const refused = async (name: string, body: unknown, field: string, message: RegExp) =>
    assert.rejects(call('PUT', `/budgets/${name}`, body), (err: { status: number; details: { field: string }; message: string }) => {
      assert.equal(err.status, 400, `${JSON.stringify(body)}: ${err.message}`);
      assert.equal(err.details.field, field, JSON.stringify(body));
      assert.match(err.message, message);
      return true;
    });
  await refused('orders-db', { rate: { perSecond: 10 } }, 'concurrency', /^.*concurrency: is required to create a budget$/);
  await refused('orders-db', { concurrency: 10, adaptive: { max: 11 } }, 'adaptive.max', /adaptive\.max: 11 is above the concurrency \(10\)/);
  await refused('orders-db', { concurrency: 10, adaptive: { min: 6, max: 5 } }, 'adaptive.min', /adaptive\.min: 6 is above adaptive\.max \(5\)/);
  await refused('orders-db', { concurrency: 0 }, 'concurrency', /concurrency: must be at least 1/);
  await refused('orders-db', { concurrency: 100_001 }, 'concurrency', /concurrency: must be at most 100000/);
  await refused('orders-db', { concurrency: 2.5 }, 'concurrency', /concurrency: must be a whole number/);
  await refused('orders-db', { concurrency: '10' }, 'concurrency', /concurrency: must be a number/);
  await refused('orders-db', { concurrency: 10, rate: { perSecond: 0 } }, 'rate.perSecond', /rate\.perSecond: must be more than 0/);
  await refused('orders-db', { concurrency: 10, rate: { perSecond: 2_000_000 } }, 'rate.perSecond', /rate\.perSecond: must be at most 1000000/);
  await refused('orders-db', { concurrency: 10, rate: { perSecond: 5, burst: 0 } }, 'rate.burst', /rate\.burst: must be at least 1/);
  await refused('orders-db', { concurrency: 10, adaptive: 'yes' }, 'adaptive', /adaptive/);
  await refused('orders-db', { concurrency: 10, limit: 3 }, 'body', /limit/);
  await assert.rejects(call('PUT', '/budgets/Orders_DB', { concurrency: 1 }), { status: 400, code: 'NIMBUS_ERR_BUDGET_INVALID_NAME' });
  assert.deepEqual(control.changes, []);
});

test('listings carry what the limiter says of each budget and the live functions that use it', async (t) => {
  const state: BudgetState = { name: 'orders-db', limit: 12, inUse: 3, waiting: 2, throttled: 7 };
  const { call, put } = await setUp(t, {
    states: [state],
    live: [version('shop', { settle: ['orders-db'], checkout: ['orders-db', 'payments-api'] }), version('billing', { invoice: ['orders-db'] })],
  });
  await put('orders-db', { concurrency: 20 });
  await put('payments-api', { concurrency: 5 });
  await put('spare', { concurrency: 1 });
  const { body } = await call('GET', '/budgets') as { body: { budgets: { name: string; state: unknown; usedBy: unknown }[] } };
  assert.deepEqual(body.budgets.map((b) => [b.name, b.state, b.usedBy]), [
    ['orders-db', state, [{ app: 'billing', function: 'invoice' }, { app: 'shop', function: 'checkout' }, { app: 'shop', function: 'settle' }]],
    ['payments-api', null, [{ app: 'shop', function: 'checkout' }]],
    ['spare', null, []],
  ]);
  await assert.rejects(call('DELETE', '/budgets/payments-api'), (err: { status: number; code: string; message: string }) => {
    assert.equal(err.status, 409);
    assert.equal(err.code, 'NIMBUS_ERR_BUDGET_IN_USE');
    assert.match(err.message, /payments-api is used by shop\/checkout/);
    return true;
  });
});
