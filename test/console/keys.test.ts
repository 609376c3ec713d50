import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { admin, eventually } from '../helpers/admin-client.js';
import type { TestNode } from '../helpers/test-node.js';
import { screenshot } from './support/artifacts.js';
import { describeViolations, seriousViolations } from './support/axe.js';
import { browserSkipReason } from './support/browser.js';
import { goTo, UI_TIMEOUT_MS, type ConsoleTab } from './support/console-page.js';
import { focusedName, fromTheTop, tabTo } from './support/keyboard.js';
import { signedInConsole, type SignedInConsole } from './support/signed-in-console.js';

/** Answers how long its TOKEN secret is, never the value. */
const VAULT = `
import { http } from 'nimbus-functions';
export const check = http({ route: 'GET /vault-check' }, () => ({ tokenLength: (process.env.TOKEN ?? '').length }));
`;
const SECRET_VALUE = 'correct-horse-battery-staple-42';

async function sendWith(node: TestNode, key: string): Promise<number> {
  const response = await fetch(`${node.url}/_nimbus/api/v1/queues/orders/messages`, {
    method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify({ body: { n: 1 } }),
  });
  return response.status;
}

/** Everything the page holds as text or in its fields' values. */
async function everythingShown(tab: ConsoleTab): Promise<string> {
  const values = (await tab.page.evaluate('[...document.querySelectorAll("input, textarea")].map((i) => i.value).join("\\n")')) as string;
  return `${await tab.page.content()}\n${values}`;
}

describe('console: the Keys & secrets page in a real browser', { skip: browserSkipReason() }, () => {
  let node: TestNode;
  let browser: Browser;
  let tab: ConsoleTab;

  let session: SignedInConsole | undefined;

  before(async () => {
    session = await signedInConsole({ vault: { 'index.ts': VAULT } }, async ({ node, tab }) => {
      await tab.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: node.url });
    });
    ({ node, browser, tab } = session);
  });
  after(() => session?.close());

  test('a new key is shown once, with a copy button; revoking it (keyboard only) removes it and it stops working', async () => {
    const { page } = tab;
    await goTo(page, 'keys');
    await page.getByText('No API keys yet').waitFor();
    await page.getByLabel('Scope').selectOption('producer');
    await page.getByLabel('Queues (comma-separated)').fill('orders, mail');
    await page.getByLabel('Label (optional)').fill('api <server>');
    await page.getByRole('button', { name: 'Create key' }).click();

    const shown = page.locator('[data-new-key]');
    await shown.waitFor();
    const material = await page.getByLabel('Key', { exact: true }).inputValue();
    assert.match(material, /^nbk_[0-9a-f]{16}_/);
    const id = (await shown.getAttribute('data-new-key'))!;
    assert.ok(material.startsWith(`nbk_${id}_`));
    assert.match(await shown.innerText(), /Scope: producer for orders, mail\. Store it now: it is shown only this once\./);
    await page.getByRole('button', { name: 'Copy key' }).click();
    await page.getByRole('status').filter({ hasText: 'Copied to the clipboard.' }).waitFor();
    assert.equal(await page.evaluate('navigator.clipboard.readText()'), material);
    assert.equal(await sendWith(node, material), 201, 'the key works as a producer key');
    assert.deepEqual(await seriousViolations(page).then(describeViolations), '');
    await screenshot(page, 'keys-new-key');

    await page.getByRole('button', { name: 'Done: I have stored it' }).click();
    await shown.waitFor({ state: 'detached' });
    const row = page.locator(`[data-key-id="${id}"]`);
    await row.waitFor();
    assert.equal(await row.locator('[data-scope-kind]').innerText(), 'producer for orders, mail');
    assert.match(await row.innerText(), /api <server>/);
    assert.ok(!(await everythingShown(tab)).includes(material.slice(4 + 16 + 1)), 'the key is not on the page any more');
    await page.evaluate('window.location.reload()');
    await row.waitFor();
    assert.ok(!(await everythingShown(tab)).includes(material.slice(4 + 16 + 1)), 'nor after a reload');

    await fromTheTop(page);
    await tabTo(page, `Revoke ${id} (api <server>)`);
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: `Revoke key ${id} (api <server>)?` });
    await dialog.waitFor();
    await page.keyboard.press('Tab');
    assert.equal(await focusedName(page), 'Revoke key');
    await page.keyboard.press('Enter');
    await dialog.waitFor({ state: 'detached' });
    await row.waitFor({ state: 'detached' });
    await page.getByRole('status').filter({ hasText: `Revoked key ${id}.` }).waitFor();
    const { body } = await admin(node, 'GET', '/keys');
    assert.deepEqual(body.keys, []);
    assert.equal(await sendWith(node, material), 401, 'a revoked key is refused');
  });

  test('secrets: set one (the value typed into a password field), it reaches the app, its value never appears; delete asks first', async () => {
    const { page } = tab;
    await goTo(page, 'keys');
    await fromTheTop(page);
    await tabTo(page, 'Secrets of app');
    await page.keyboard.type('vault');
    await page.keyboard.press('Enter');
    const panel = page.locator('[data-secrets-app="vault"]');
    await panel.getByText('vault has no secrets.').waitFor();

    assert.equal(await page.getByLabel('Value').getAttribute('type'), 'password');
    await tabTo(page, 'Name');
    await page.keyboard.type('TOKEN');
    await page.keyboard.press('Tab');
    await page.keyboard.type(SECRET_VALUE);
    await page.keyboard.press('Enter');
    await panel.locator('[data-secret="TOKEN"]').waitFor();
    await page.getByRole('status').filter({ hasText: 'Set TOKEN for vault' }).waitFor();
    assert.equal(await page.getByLabel('Value').inputValue(), '', 'the field is cleared');
    assert.ok(!(await everythingShown(tab)).includes(SECRET_VALUE), 'the value is nowhere in the page');

    const { body } = await admin(node, 'GET', '/apps/vault/secrets');
    assert.deepEqual(body.secrets.map((s: { name: string }) => s.name), ['TOKEN']);
    assert.ok(!JSON.stringify(body).includes(SECRET_VALUE));
    // Setting a secret restarts the app's instances: the new ones see a value of the right length.
    await eventually(async () => {
      const answer = await (await fetch(`${node.url}/vault-check`)).json() as { tokenLength: number };
      return answer.tokenLength === SECRET_VALUE.length;
    }, UI_TIMEOUT_MS, 'the function to see TOKEN');
    // A key made elsewhere (the CLI) shows up in the list without a reload, its scope worded as `nimbus keys ls` does.
    const uploader = await admin(node, 'POST', '/keys', { scope: { kind: 'blobs', buckets: ['reports'], access: 'read' }, label: 'report reader' });
    assert.equal(uploader.status, 201);
    await page.locator(`[data-key-id="${uploader.body.id}"] [data-scope-kind="blobs"]`, { hasText: 'blobs reports (read-only)' }).waitFor();
    assert.deepEqual(await seriousViolations(page).then(describeViolations), '');
    await screenshot(page, 'keys');

    await panel.getByRole('button', { name: 'Delete secret TOKEN' }).click();
    const dialog = page.getByRole('dialog', { name: 'Delete secret TOKEN of vault?' });
    await dialog.getByRole('button', { name: 'Delete secret' }).click();
    await dialog.waitFor({ state: 'detached' });
    await panel.getByText('vault has no secrets.').waitFor();
    assert.deepEqual((await admin(node, 'GET', '/apps/vault/secrets')).body.secrets, []);
    assert.ok(!(await everythingShown(tab)).includes(SECRET_VALUE));
    assert.deepEqual(tab.problems, []);
  });

  test("a refused create shows the API's message and code", async () => {
    const { page } = tab;
    await goTo(page, 'keys');
    await page.getByLabel('Scope').selectOption('function');
    await page.getByLabel('App', { exact: true }).fill('no-such-app');
    await page.getByRole('button', { name: 'Create key' }).click();
    const refusal = page.locator('form').getByRole('alert');
    await refusal.waitFor();
    assert.equal(await refusal.locator('.error-code').innerText(), 'NIMBUS_ERR_APP_NOT_FOUND');
    assert.match(await refusal.locator('.error-message').innerText(), /no-such-app/);
  });
});
