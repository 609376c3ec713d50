import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { admin, eventually } from '../helpers/admin-client.js';
import { startTestNode, type TestNode } from '../helpers/test-node.js';
import { screenshot } from './support/artifacts.js';
import { describeViolations, seriousViolations } from './support/axe.js';
import { browserSkipReason, launchBrowser } from './support/browser.js';
import { goTo, openConsole, signIn, UI_TIMEOUT_MS } from './support/console-page.js';

/** The buttons a read key may see: they change nothing on the node. */
const READING_BUTTONS = new Set(['Sign out', 'First', 'Previous', 'Next']);

/** The names of the enabled buttons on screen that are not for reading. */
async function writeActions(page: Page): Promise<string[]> {
  const names = await page.locator('button:visible:enabled').allInnerTexts();
  return names.map((n) => n.trim()).filter((n) => !READING_BUTTONS.has(n));
}

const AREAS = ['Overview', 'Functions', 'Queues', 'Timers', 'Blobs', 'Budgets', 'Usage', 'Keys & secrets'];

describe('console sign-in in a real browser', { skip: browserSkipReason() }, () => {
  let node: TestNode;
  let browser: Browser;

  before(async () => {
    [node, browser] = await Promise.all([startTestNode(), launchBrowser()]);
  });
  after(async () => {
    await browser?.close();
    await node?.dispose();
  });

  test('the admin key signs in: the nav shows all eight areas, and a reload keeps the session', async () => {
    const tab = await openConsole(browser, node.url);
    try {
      const { page } = tab;
      assert.equal(await page.title(), 'Nimbus console');
      assert.deepEqual(await seriousViolations(page).then((v) => describeViolations(v)), '', 'the sign-in page has no serious accessibility violations');
      await screenshot(page, 'sign-in');
      await signIn(page, node.adminKey);
      const nav = page.getByRole('navigation', { name: 'Console' });
      await nav.waitFor();
      assert.deepEqual(await nav.getByRole('link').allTextContents(), AREAS);
      assert.equal(await page.locator('[data-scope]').getAttribute('data-scope'), 'admin');
      // Every area's page opens from the nav.
      for (const area of AREAS) {
        await nav.getByRole('link', { name: area, exact: true }).click();
        await page.getByRole('heading', { level: 1 }).filter({ hasText: area === 'Usage' ? 'Usage' : area === 'Keys & secrets' ? 'Keys' : area }).waitFor();
      }
      await page.reload();
      await nav.waitFor();
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.getByLabel('Admin key or read key').waitFor();
      assert.deepEqual(tab.problems, []);
    } finally {
      await tab.close();
    }
  });

  test('a wrong key is refused with the API\'s message and code, and nothing is kept', async () => {
    const tab = await openConsole(browser, node.url);
    try {
      const { page } = tab;
      await signIn(page, 'not-the-key');
      const alert = page.getByRole('alert');
      await alert.waitFor();
      assert.match(await alert.innerText(), /the key is not valid/);
      assert.match(await alert.innerText(), /NIMBUS_ERR_AUTH_INVALID/);
      assert.equal(await page.evaluate('sessionStorage.length'), 0);
      assert.equal(await page.getByRole('navigation', { name: 'Console' }).count(), 0);
      assert.deepEqual(tab.problems, []);
    } finally {
      await tab.close();
    }
  });

  test('a key without admin API access is refused by name', async () => {
    await node.deploy('signin', { 'index.ts': "import { http } from 'nimbus-functions';\nexport const hi = http({ route: 'GET /signin-hi' }, () => 'hi');\n" });
    const created = await admin(node, 'POST', '/keys', { scope: { kind: 'function', app: 'signin' } });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const tab = await openConsole(browser, node.url);
    try {
      await signIn(tab.page, created.body.key);
      const alert = tab.page.getByRole('alert');
      await alert.waitFor();
      assert.match(await alert.innerText(), /a function key cannot use the console/);
    } finally {
      await tab.close();
    }
  });

  test('a read key signs in and reads every page, and no action that changes something is offered', async () => {
    const answering = (word: string) => `import { http } from 'nimbus-functions';\nexport const answer = http({ route: 'GET /read-only' }, () => '${word}');\n`;
    assert.equal((await node.deploy('readable', { 'index.ts': answering('one') })).status, 201);
    assert.equal((await node.deploy('readable', { 'index.ts': answering('two') })).status, 201);
    assert.equal(await (await fetch(`${node.url}/read-only`)).text(), 'two');
    const created = await admin(node, 'POST', '/keys', { scope: { kind: 'read' }, label: 'console reader' });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const tab = await openConsole(browser, node.url);
    try {
      const { page } = tab;
      await signIn(page, created.body.key);
      await page.getByRole('navigation', { name: 'Console' }).waitFor();
      assert.equal(await page.locator('[data-scope]').getAttribute('data-scope'), 'read');
      assert.equal(await page.locator('[data-scope]').innerText(), 'read-only key');

      // Overview: counts, and the charts from GET /stats.
      await page.getByRole('heading', { name: 'Overview', level: 1 }).waitFor();
      await page.locator('.card', { hasText: 'Nodes alive' }).getByText('1 of 1').waitFor();
      await eventually(async () => {
        const points = JSON.parse((await page.locator('[data-chart="invocations"]').getAttribute('data-points')) ?? '{}') as { invocations?: (number | null)[] };
        return (points.invocations ?? []).some((v) => v !== null && v > 0);
      }, UI_TIMEOUT_MS, 'the invocation on the chart');
      assert.deepEqual(await writeActions(page), [], 'Overview');

      // Functions: the list.
      await goTo(page, 'functions');
      await page.locator('[data-function="readable/answer"]').waitFor();
      assert.deepEqual(await writeActions(page), [], 'Functions');

      // A function: both versions and the invocation are read, and no version offers a rollback.
      await goTo(page, 'functions', 'readable', 'answer');
      await page.locator('[data-version="2"]', { hasText: 'live' }).waitFor();
      await page.locator('[data-version="1"]').waitFor();
      await page.locator('[data-invocation][data-outcome="ok"]').first().waitFor();
      await page.locator('[data-stream="live"]').waitFor();
      assert.equal(await page.getByRole('button', { name: /Roll back/ }).count(), 0, 'no rollback for a read key');
      assert.deepEqual(await writeActions(page), [], 'a function');
      assert.equal(await page.getByRole('alert').count(), 0, 'every read was allowed');
      assert.deepEqual(tab.problems, []);
    } finally {
      await tab.close();
    }
    // The same page offers the rollback to the admin key: the check above is not vacuous.
    const adminTab = await openConsole(browser, node.url);
    try {
      await signIn(adminTab.page, node.adminKey);
      await adminTab.page.getByRole('navigation', { name: 'Console' }).waitFor();
      await goTo(adminTab.page, 'functions', 'readable', 'answer');
      await adminTab.page.locator('[data-version="1"]').getByRole('button', { name: 'Roll back to v1' }).waitFor();
      assert.deepEqual(await writeActions(adminTab.page), ['Roll back to v1']);
    } finally {
      await adminTab.close();
    }
  });
});
