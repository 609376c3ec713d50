import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { admin } from '../helpers/admin-client.js';
import { startTestNode, type TestNode } from '../helpers/test-node.js';
import { screenshot } from './support/artifacts.js';
import { describeViolations, seriousViolations } from './support/axe.js';
import { browserSkipReason, launchBrowser } from './support/browser.js';
import { openConsole, signIn } from './support/console-page.js';

const AREAS = ['Overview', 'Functions', 'Queues', 'Timers', 'Blobs', 'Usage', 'Keys & secrets'];

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

  test('the admin key signs in: the nav shows all seven areas, and a reload keeps the session', async () => {
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
});
