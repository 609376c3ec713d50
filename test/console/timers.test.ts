import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { admin } from '../helpers/admin-client.js';
import type { TestNode } from '../helpers/test-node.js';
import { screenshot } from './support/artifacts.js';
import { describeViolations, seriousViolations } from './support/axe.js';
import { browserSkipReason } from './support/browser.js';
import { goTo, type ConsoleTab } from './support/console-page.js';
import { fromTheTop, tabTo } from './support/keyboard.js';
import { signedInConsole, type SignedInConsole } from './support/signed-in-console.js';

/** Once a year, at midnight in Berlin: it never fires by itself during the test. */
const CLOCK = `
import { timer } from 'nimbus-functions';
export const newYear = timer({ cron: '0 0 1 1 *', timezone: 'Europe/Berlin' }, async (tick) => {
  console.log('tick ' + tick.scheduledAt);
});
`;

interface Run { id: number; reason: string; outcome: string; scheduledAt: string; firedAt: string | null }

describe('console: the Timers page in a real browser', { skip: browserSkipReason() }, () => {
  let node: TestNode;
  let browser: Browser;
  let tab: ConsoleTab;

  let session: SignedInConsole | undefined;

  before(async () => {
    session = await signedInConsole({ clock: { 'index.ts': CLOCK } });
    ({ node, browser, tab } = session);
  });
  after(() => session?.close());

  test('the schedule is shown in its zone with the next three times the node computed', async () => {
    const { page } = tab;
    await goTo(page, 'timers');
    const row = page.locator('[data-timer="clock/newYear"]');
    await row.waitFor();
    assert.match(await row.locator('td').nth(1).innerText(), /^0 0 1 1 \* in Europe\/Berlin$/);
    const { body } = await admin(node, 'GET', '/timers');
    const next = (body.timers[0].next as { utc: string; zoned: string }[]);
    assert.equal(next.length, 3);
    const shown = await row.locator('.next-times time').evaluateAll((times) => times.map((t) => [t.getAttribute('datetime'), t.textContent]));
    assert.deepEqual(shown, next.map((n) => [n.utc, n.zoned.replace('T', ' ').replace(/(\d)([+-]\d\d:\d\d|Z)$/, '$1 $2')]));
    // Midnight on 1 January in Berlin is winter time: +01:00.
    for (const [, text] of shown) assert.match(text!, /^\d{4}-01-01 00:00:00 \+01:00$/);
    assert.match(await row.innerText(), /never/);
  });

  test('"Run now", from the keyboard, adds a run to the history with its outcome and lateness', async () => {
    const { page } = tab;
    await goTo(page, 'timers');
    await page.locator('[data-timer="clock/newYear"]').waitFor();
    await fromTheTop(page);
    await tabTo(page, 'Run clock/newYear now');
    await page.keyboard.press('Enter');
    await page.getByRole('status').filter({ hasText: 'Started a run of clock/newYear.' }).waitFor();

    const history = page.locator('[data-runs="clock/newYear"]');
    const run = history.locator('[data-reason="manual"][data-outcome="ok"]');
    await run.waitFor();
    const { body } = await admin(node, 'GET', '/timers/clock/newYear/runs');
    const runs = body.runs as Run[];
    assert.equal(runs.length, 1);
    assert.equal(runs[0]!.reason, 'manual');
    assert.equal(await run.getAttribute('data-run'), String(runs[0]!.id));
    const lateness = Date.parse(runs[0]!.firedAt!) - Date.parse(runs[0]!.scheduledAt);
    const shownLateness = await run.locator('[data-lateness]').innerText();
    assert.match(shownLateness, /^[\d.]+ (ms|s)$/);
    const asMs = shownLateness.endsWith(' ms') ? Number.parseFloat(shownLateness) : Number.parseFloat(shownLateness) * 1000;
    assert.ok(Math.abs(asMs - lateness) <= Math.max(1, lateness * 0.05), `lateness ${shownLateness} is firedAt − scheduledAt (${lateness} ms)`);
    await page.locator('[data-timer="clock/newYear"]', { hasText: 'ok' }).waitFor();
    assert.deepEqual(await seriousViolations(page).then(describeViolations), '');
    await screenshot(page, 'timers');

    // A second run from the history panel's row button, and the history shows both, newest first.
    await page.locator('[data-timer="clock/newYear"]').getByRole('button', { name: 'Run clock/newYear now' }).click();
    await history.locator('[data-reason="manual"][data-outcome="ok"]').nth(1).waitFor();
    const ids = await history.locator('[data-run]').evaluateAll((rows) => rows.map((r) => Number(r.getAttribute('data-run'))));
    assert.deepEqual(ids, [...ids].sort((a, b) => b - a));
    assert.deepEqual(tab.problems, []);
  });
});
