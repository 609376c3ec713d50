import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { admin } from '../helpers/admin-client.js';
import type { TestNode } from '../helpers/test-node.js';
import { screenshot } from './support/artifacts.js';
import { describeViolations, seriousViolations } from './support/axe.js';
import { browserSkipReason } from './support/browser.js';
import { goTo, openConsole, signIn, type ConsoleTab } from './support/console-page.js';
import { signedInConsole, type SignedInConsole } from './support/signed-in-console.js';

const SHOP = `
import { http } from 'nimbus-functions';
export const checkout = http({ route: 'POST /console-budgets/checkout', uses: ['orders-db'] }, () => ({ ok: true }));
`;

/** The figures a budget's row shows, by column. */
async function figures(tab: ConsoleTab, name: string): Promise<Record<string, string>> {
  const row = tab.page.locator(`[data-budget="${name}"]`);
  const cells = await row.locator('[data-figure]').evaluateAll((tds) => tds.map((td) => [td.getAttribute('data-figure'), (td.textContent ?? "").trim()]));
  return Object.fromEntries(cells) as Record<string, string>;
}

describe('console: the Budgets page in a real browser', { skip: browserSkipReason() }, () => {
  let node: TestNode;
  let tab: ConsoleTab;
  let session: SignedInConsole | undefined;

  before(async () => {
    session = await signedInConsole();
    ({ node, tab } = session);
  });
  after(() => session?.close());

  test('set a budget from the form; a bad one shows the node\'s message and makes nothing; edit changes it', async () => {
    const { page } = tab;
    await goTo(page, 'budgets');
    await page.getByRole('heading', { name: 'Budgets', level: 1 }).waitFor();
    await page.getByText('No budgets yet.').waitFor();

    await page.getByLabel('Name').fill('orders-db');
    await page.getByLabel('Concurrency').fill('20');
    await page.getByLabel('Rate per second (empty: none)').fill('200');
    await page.getByLabel('Burst (optional)').fill('50');
    await page.getByLabel("Adaptive: the limit follows the downstream's health").check();
    await page.getByLabel('Min (optional)').fill('2');
    await page.getByRole('button', { name: 'Save budget' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved budget orders-db.' }).waitFor();
    await page.locator('[data-budget="orders-db"]').waitFor();
    assert.deepEqual(await figures(tab, 'orders-db'), {
      limit: '20', inUse: '0', waiting: '0', throttled: '0', adaptive: '20 (2–20)', rate: '200/s, burst 50', usedBy: 'no function',
    });
    const { body } = await admin(node, 'GET', '/budgets/orders-db');
    assert.deepEqual([body.budget.concurrency, body.budget.rate, body.budget.adaptive], [20, { perSecond: 200, burst: 50 }, { min: 2, max: 20 }]);

    await page.getByLabel('Name').fill('small-db');
    await page.getByLabel('Concurrency').fill('5');
    await page.getByLabel("Adaptive: the limit follows the downstream's health").check();
    await page.getByLabel('Max (optional)').fill('9');
    await page.getByRole('button', { name: 'Save budget' }).click();
    await page.getByRole('alert').filter({ hasText: 'adaptive.max: 9 is above the concurrency (5)' }).waitFor();
    assert.equal((await admin(node, 'GET', '/budgets/small-db')).status, 404);

    await page.getByRole('button', { name: 'Edit budget orders-db' }).click();
    const form = page.locator('form[data-editing="orders-db"]');
    await form.getByRole('heading', { name: 'Edit budget orders-db' }).waitFor();
    assert.equal(await page.getByLabel('Name').inputValue(), 'orders-db');
    assert.equal(await page.getByLabel('Name').getAttribute('readonly'), '');
    assert.equal(await page.getByLabel('Burst (optional)').inputValue(), '50');
    await page.getByLabel('Concurrency').fill('30');
    await page.getByLabel('Rate per second (empty: none)').fill('');
    await page.getByRole('button', { name: 'Save budget' }).click();
    await page.getByRole('heading', { name: 'Set a budget' }).waitFor();
    await page.locator('[data-budget="orders-db"] [data-figure="limit"]', { hasText: '30' }).waitFor();
    assert.equal((await figures(tab, 'orders-db'))['rate'], 'none');
    const edited = (await admin(node, 'GET', '/budgets/orders-db')).body.budget;
    assert.deepEqual([edited.concurrency, edited.rate, edited.adaptive], [30, null, { min: 2, max: 20 }]);

    assert.deepEqual(await seriousViolations(page).then(describeViolations), '');
    await screenshot(page, 'budgets');
    assert.deepEqual(tab.problems, []);
  });

  test('delete asks first; a budget a live function uses is refused with the node\'s 409 in the dialog; an unused one goes', async () => {
    const { page } = tab;
    assert.ok([200, 201].includes((await admin(node, 'PUT', '/budgets/orders-db', { concurrency: 20 })).status));
    assert.equal((await admin(node, 'PUT', '/budgets/spare', { concurrency: 1 })).status, 201);
    assert.equal((await node.deploy('shop', { 'index.ts': SHOP })).status, 201);
    await goTo(page, 'budgets');
    await page.locator('[data-budget="orders-db"] [data-figure="usedBy"]', { hasText: 'shop/checkout' }).waitFor();

    await page.getByRole('button', { name: 'Delete budget orders-db' }).click();
    const inUse = page.getByRole('dialog', { name: 'Delete budget orders-db?' });
    await inUse.waitFor();
    assert.match(await inUse.innerText(), /It is used by shop\/checkout/);
    await inUse.getByRole('button', { name: 'Delete budget' }).click();
    await inUse.getByRole('alert').filter({ hasText: 'orders-db is used by shop/checkout' }).waitFor();
    await inUse.getByRole('button', { name: 'Cancel' }).click();
    await inUse.waitFor({ state: 'detached' });
    assert.equal((await admin(node, 'GET', '/budgets/orders-db')).status, 200, 'still there');

    await page.getByRole('button', { name: 'Delete budget spare' }).click();
    const unused = page.getByRole('dialog', { name: 'Delete budget spare?' });
    await unused.getByRole('button', { name: 'Delete budget' }).click();
    await unused.waitFor({ state: 'detached' });
    await page.getByRole('status').filter({ hasText: 'Deleted budget spare.' }).waitFor();
    await page.locator('[data-budget="spare"]').waitFor({ state: 'detached' });
    assert.equal((await admin(node, 'GET', '/budgets/spare')).status, 404);
  });

  test('a read key sees the budgets and is offered no way to change them', async () => {
    const created = await admin(node, 'POST', '/keys', { scope: { kind: 'read' }, label: 'budget reader' });
    assert.equal(created.status, 201);
    const reader = await openConsole(session!.browser, node.url);
    try {
      await signIn(reader.page, created.body.key);
      await reader.page.getByRole('navigation', { name: 'Console' }).waitFor();
      await goTo(reader.page, 'budgets');
      await reader.page.locator('[data-budget="orders-db"]').waitFor();
      assert.equal(await reader.page.getByRole('button', { name: /Edit budget|Delete budget|Save budget/ }).count(), 0);
      assert.equal(await reader.page.getByRole('alert').count(), 0);
      assert.deepEqual(reader.problems, []);
    } finally {
      await reader.close();
    }
    // The admin's tab offers them: the count above is not vacuous.
    await goTo(tab.page, 'budgets');
    await tab.page.getByRole('button', { name: 'Delete budget orders-db' }).waitFor();
  });
});
