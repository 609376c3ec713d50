/**
 * What every BudgetStore implementation promises. Each implementation's test
 * file calls `runBudgetStoreContract` with a factory for fresh, empty stores.
 */
import { describe } from 'node:test';
import assert from 'node:assert/strict';
import { withFreshStore } from './contract-harness.js';
import type { BudgetSettings, BudgetStore } from '../../src/budgets/budget.js';
import { FakeClock } from '../helpers/fake-clock.js';

export interface BudgetStoreHarness {
  store: BudgetStore;
  clock: FakeClock;
  close(): Promise<void>;
}

const plain = (name: string, concurrency = 10): BudgetSettings => ({ name, concurrency, rate: null, adaptive: null });

export function runBudgetStoreContract(name: string, newHarness: () => Promise<BudgetStoreHarness>): void {
  const withStore = withFreshStore(newHarness);

  describe(`BudgetStore contract: ${name}`, () => {
    withStore('put answers the budget with its times; get and list read it back exactly', async ({ store, clock }) => {
      const settings: BudgetSettings = { name: 'orders-db', concurrency: 20, rate: { perSecond: 200, burst: 50 }, adaptive: { min: 2, max: 18 } };
      const budget = await store.put(settings);
      assert.deepEqual(budget, { ...settings, createdAt: clock.now(), updatedAt: clock.now() });
      assert.deepEqual(await store.get('orders-db'), budget);
      assert.deepEqual(await store.list(), [budget]);
    });

    withStore('no rate and no adaptive bounds read back as null, not as zeros', async ({ store }) => {
      const budget = await store.put(plain('payments-api', 5));
      assert.equal(budget.rate, null);
      assert.equal(budget.adaptive, null);
      assert.deepEqual(await store.get('payments-api'), budget);
    });

    withStore('a fractional rate (12 a minute, one a minute) comes back to the last digit', async ({ store }) => {
      await store.put({ ...plain('slow'), rate: { perSecond: 0.2, burst: 1 } });
      await store.put({ ...plain('slower'), rate: { perSecond: 1 / 60, burst: 1 } });
      assert.deepEqual((await store.get('slow'))?.rate, { perSecond: 0.2, burst: 1 });
      assert.deepEqual((await store.get('slower'))?.rate, { perSecond: 1 / 60, burst: 1 });
    });

    withStore('putting an existing name replaces every setting, keeps its creation time and moves its update time', async ({ store, clock }) => {
      const created = await store.put({ name: 'orders-db', concurrency: 20, rate: { perSecond: 200, burst: 200 }, adaptive: { min: 1, max: 20 } });
      await clock.advance(1_000);
      const replaced = await store.put(plain('orders-db', 30));
      assert.deepEqual(replaced, { ...plain('orders-db', 30), createdAt: created.createdAt, updatedAt: clock.now() });
      assert.deepEqual(await store.list(), [replaced], 'one budget, nothing left of the old rate or bounds');
    });

    withStore('list is sorted by name in code-point order', async ({ store }) => {
      const names = ['orders-db', 'a-b', 'a', 'z9', 'a1', 'ab'];
      for (const n of names) await store.put(plain(n));
      assert.deepEqual((await store.list()).map((b) => b.name), [...names].sort());
    });

    withStore('not found: get is undefined, remove is false, an empty store lists nothing', async ({ store }) => {
      assert.deepEqual(await store.list(), []);
      assert.equal(await store.get('orders-db'), undefined);
      assert.equal(await store.remove('orders-db'), false);
    });

    withStore('remove deletes one budget, once; putting it again creates it afresh', async ({ store, clock }) => {
      await store.put(plain('a'));
      await store.put(plain('b'));
      assert.equal(await store.remove('a'), true);
      assert.equal(await store.remove('a'), false);
      assert.deepEqual((await store.list()).map((b) => b.name), ['b']);
      assert.equal(await store.get('a'), undefined);
      await clock.advance(10);
      const again = await store.put(plain('a', 3));
      assert.deepEqual(again, { ...plain('a', 3), createdAt: clock.now(), updatedAt: clock.now() });
    });

    withStore('the largest limits are kept (100 000 holders, a million starts a second)', async ({ store, clock }) => {
      const big: BudgetSettings = { name: 'big', concurrency: 100_000, rate: { perSecond: 1_000_000, burst: 1_000_000 }, adaptive: { min: 1, max: 100_000 } };
      await store.put(big);
      assert.deepEqual(await store.get('big'), { ...big, createdAt: clock.now(), updatedAt: clock.now() });
    });
  });
}
