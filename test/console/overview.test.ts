import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { eventually } from '../helpers/admin-client.js';
import { startTestNode, type TestNode } from '../helpers/test-node.js';
import { screenshot } from './support/artifacts.js';
import { describeViolations, seriousViolations } from './support/axe.js';
import { browserSkipReason, launchBrowser } from './support/browser.js';
import { openConsole, signIn, UI_TIMEOUT_MS } from './support/console-page.js';

const APP = `
import { http } from 'nimbus-functions';
export const ping = http({ route: 'GET /ping' }, () => new Response('pong'));
export const boom = http({ route: 'GET /boom' }, () => { throw new Error('boom'); });
`;

interface ChartPoints {
  t: number[];
  [series: string]: (number | null)[];
}

describe('console: the Overview in a real browser', { skip: browserSkipReason() }, () => {
  let node: TestNode;
  let browser: Browser;

  before(async () => {
    [node, browser] = await Promise.all([startTestNode(), launchBrowser()]);
  });
  after(async () => {
    await browser?.close();
    await node?.dispose();
  });

  test('counts and live charts draw points from real invocations, without a reload', async () => {
    const deployed = await node.deploy('pinger', { 'index.ts': APP });
    assert.equal(deployed.status, 201, JSON.stringify(deployed.body));
    const tab = await openConsole(browser, node.url);
    try {
      const { page } = tab;
      await signIn(page, node.adminKey);
      await page.getByRole('heading', { name: 'Overview', level: 1 }).waitFor();
      await page.locator('.card', { hasText: 'Nodes alive' }).getByText('1 of 1').waitFor();
      await page.locator('.card', { hasText: 'Functions' }).getByText('2').waitFor();
      await page.evaluate('window.__samePage = true');

      for (let i = 0; i < 6; i++) assert.equal(await (await fetch(`${node.url}/ping`)).text(), 'pong');
      for (let i = 0; i < 2; i++) assert.equal((await fetch(`${node.url}/boom`)).status, 500);

      const points = async (chart: string): Promise<ChartPoints> =>
        JSON.parse((await page.locator(`[data-chart="${chart}"]`).getAttribute('data-points')) ?? '{}') as ChartPoints;
      const total = (values: (number | null)[] | undefined) => (values ?? []).reduce<number>((sum, v) => sum + (v ?? 0), 0);
      // The charts hold per-minute figures; invocations are per second over each minute.
      await eventually(async () => total((await points('invocations'))['invocations']) * 60 >= 7.99, UI_TIMEOUT_MS, 'the invocations chart to count 8');
      const invocations = await points('invocations');
      assert.ok(invocations.t.length > 0 && invocations.t.every((t, i) => i === 0 || t > invocations.t[i - 1]!), 'points in time order');
      assert.equal(Math.round(total(invocations['invocations']) * 60), 8);
      assert.equal(total((await points('errors'))['errors']), 2);
      const durations = await points('p50 p99');
      assert.ok(durations['p50']!.some((v) => v !== null && v > 0), 'a p50 duration');
      assert.ok(durations['p99']!.some((v) => v !== null && v > 0), 'a p99 duration');
      assert.ok(total((await points('coldStarts'))['coldStarts']) >= 0);
      await eventually(async () => ((await points('running'))['running'] ?? []).some((v) => v !== null && v > 0), UI_TIMEOUT_MS, 'a running instance on the chart');
      assert.ok(await page.locator('[data-chart="invocations"] canvas').count() > 0, 'uPlot drew a canvas');
      assert.equal(await page.evaluate('window.__samePage'), true, 'the page was not reloaded');

      assert.deepEqual(await seriousViolations(page).then(describeViolations), '');
      await screenshot(page, 'overview');
      assert.deepEqual(tab.problems, []);
    } finally {
      await tab.close();
    }
  });
});
