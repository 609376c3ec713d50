import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import type { Browser } from 'playwright-core';
import { admin } from '../helpers/admin-client.js';
import type { TestNode } from '../helpers/test-node.js';
import { screenshot } from './support/artifacts.js';
import { describeViolations, seriousViolations } from './support/axe.js';
import { browserSkipReason } from './support/browser.js';
import { goTo, type ConsoleTab } from './support/console-page.js';
import { fromTheTop, tabTo } from './support/keyboard.js';
import { signedInConsole, type SignedInConsole } from './support/signed-in-console.js';

const APP = `
import { http } from 'nimbus-functions';
export const ok = http({ route: 'GET /meter-ok' }, () => new Response('ok'));
export const bad = http({ route: 'GET /meter-bad' }, () => { throw new Error('bad'); });
`;

interface UsagePoints { keys: string[]; invocations: number[]; errors: number[]; cost: number[] }

describe('console: the Usage page in a real browser', { skip: browserSkipReason() }, () => {
  let node: TestNode;
  let browser: Browser;
  let tab: ConsoleTab;

  let session: SignedInConsole | undefined;

  before(async () => {
    session = await signedInConsole({ meter: { 'index.ts': APP } }, async ({ node }) => {
      for (let i = 0; i < 5; i++) assert.equal((await fetch(`${node.url}/meter-ok`)).status, 200);
      for (let i = 0; i < 2; i++) assert.equal((await fetch(`${node.url}/meter-bad`)).status, 500);
    });
    ({ node, browser, tab } = session);
  });
  after(() => session?.close());

  test('by function: the table and the chart hold the invocations made, with the price table the node used', async () => {
    const { page } = tab;
    await goTo(page, 'usage');
    const okRow = page.locator('[data-usage-row="meter/ok"]');
    const badRow = page.locator('[data-usage-row="meter/bad"]');
    // Records reach the usage roll-ups within a flush (about a second): the page polls until they show.
    await okRow.locator('[data-field="invocations"]', { hasText: /^5$/ }).waitFor();
    await badRow.locator('[data-field="invocations"]', { hasText: /^2$/ }).waitFor();
    assert.equal(await badRow.locator('[data-field="errors"]').innerText(), '2');
    assert.equal(await okRow.locator('[data-field="errors"]').innerText(), '0');
    assert.equal(await page.locator('[data-usage-row="total"] [data-field="invocations"]').innerText(), '7');

    const { body } = await admin(node, 'GET', '/usage?by=function&since=24h');
    const points = JSON.parse((await page.locator('[data-chart="usage"]').getAttribute('data-points'))!) as UsagePoints;
    assert.deepEqual(points.keys, ['meter/bad', 'meter/ok']);
    assert.deepEqual(points.invocations, [2, 5]);
    assert.deepEqual(points.errors, [2, 0]);
    const costOf = (key: string) => (body.rows as { key: string; cost: number }[]).find((r) => r.key === key)!.cost;
    assert.deepEqual(points.cost, [costOf('meter/bad'), costOf('meter/ok')]);
    assert.ok(await page.locator('[data-chart="usage"] canvas').count() > 0, 'uPlot drew a canvas');

    for (const [name, value] of Object.entries(body.prices as Record<string, number>)) {
      assert.equal(await page.locator(`[data-price="${name}"] td`).innerText(), `$${value}`);
    }
    assert.match(await page.locator('[data-price="perMillionRequests"] th').innerText(), /^Per million requests$/);
    assert.deepEqual(await seriousViolations(page).then(describeViolations), '');
    await screenshot(page, 'usage');
  });

  test('the CSV download (from the keyboard) has the rows of the table and its total', async () => {
    const { page } = tab;
    await goTo(page, 'usage');
    await page.locator('[data-usage-row="meter/ok"] [data-field="invocations"]', { hasText: /^5$/ }).waitFor();
    await fromTheTop(page);
    await tabTo(page, 'Download CSV');
    const [download] = await Promise.all([page.waitForEvent('download'), page.keyboard.press('Enter')]);
    assert.equal(download.suggestedFilename(), 'nimbus-usage-by-function-24h.csv');
    const lines = (await readFile((await download.path())!, 'utf8')).split('\r\n');
    assert.equal(lines[0], 'Function,Invocations,Errors,Cold starts,Billed ms,CPU ms,GB-seconds,Cost ($)');
    const cells = (key: string) => lines.find((l) => l.startsWith(`${key},`))?.split(',');
    const { body } = await admin(node, 'GET', '/usage?by=function&since=24h');
    for (const row of body.rows as Record<string, number | string>[]) {
      assert.deepEqual(cells(String(row['key'])), [row['key'], row['invocations'], row['errors'], row['coldStarts'], row['billedMs'], row['cpuMs'], row['gbSeconds'], row['cost']].map(String));
    }
    assert.deepEqual(cells('total')?.slice(0, 3), ['total', '7', '2']);
    assert.equal(lines.at(-1), '', 'ends with a line break');
    assert.equal(lines.length, 1 + 2 + 1 + 1);
  });

  test('by hour and by day: the rows the API reports, keyed by UTC hour and day, adding up to all seven', async () => {
    const { page } = tab;
    await goTo(page, 'usage');
    for (const by of ['hour', 'day']) {
      await page.getByLabel('By').selectOption(by);
      const { body } = await admin(node, 'GET', `/usage?by=${by}&since=24h`);
      const rows = body.rows as { key: string; invocations: number }[];
      assert.equal(rows.reduce((sum, r) => sum + r.invocations, 0), 7);
      for (const r of rows) {
        assert.match(r.key, by === 'hour' ? /^\d{4}-\d\d-\d\dT\d\d:00Z$/ : /^\d{4}-\d\d-\d\d$/);
        await page.locator(`[data-usage-row="${r.key}"] [data-field="invocations"]`, { hasText: new RegExp(`^${r.invocations}$`) }).waitFor();
      }
      assert.equal(await page.locator('[data-field="invocations"]', { hasText: /^7$/ }).last().innerText(), '7', 'the total');
    }
    // A filter the node refuses shows its message and code; one it knows narrows the table.
    await page.getByLabel('App').fill('nobody');
    await page.getByLabel('App').press('Enter');
    const refusal = page.getByRole('alert');
    await refusal.waitFor();
    assert.equal(await refusal.locator('.error-message').innerText(), 'no such app: nobody');
    assert.equal(await refusal.locator('.error-code').innerText(), 'NIMBUS_ERR_APP_NOT_FOUND');
    await page.getByLabel('App').fill('meter');
    await page.getByLabel('App').press('Enter');
    await page.locator('[data-usage-row="total"] [data-field="invocations"]', { hasText: /^7$/ }).waitFor();
    await refusal.waitFor({ state: 'detached' });
    assert.deepEqual(tab.problems, []);
  });
});
