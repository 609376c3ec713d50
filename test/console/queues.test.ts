import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { admin, eventually } from '../helpers/admin-client.js';
import type { TestNode } from '../helpers/test-node.js';
import { screenshot } from './support/artifacts.js';
import { describeViolations, seriousViolations } from './support/axe.js';
import { browserSkipReason } from './support/browser.js';
import { goTo, UI_TIMEOUT_MS, type ConsoleTab } from './support/console-page.js';
import { focusedName, focusedNameSettling, fromTheTop, tabTo } from './support/keyboard.js';
import { signedInConsole, type SignedInConsole } from './support/signed-in-console.js';

/** v1 fails every message once (one attempt: straight to jobs.dlq); v2 is the fix. */
const FAILING = `
import { queue } from 'nimbus-functions';
export const worker = queue({ queue: 'jobs', maxAttempts: 1 }, async (batch) => {
  throw new Error('cannot handle job ' + batch.messages[0].body.n + ' <img src=x onerror="window.__pwned = 1">');
});
`;
const FIXED = `
import { queue } from 'nimbus-functions';
export const worker = queue({ queue: 'jobs', maxAttempts: 1 }, async (batch, ctx) => {
  for (const m of batch.messages) await ctx.blobs.put('done', 'job-' + m.body.n, 'ok');
});
`;

interface QueueFigures { name: string; depth: number; inFlight: number; delayed: number; deadLettered: number }

async function queueFigures(node: TestNode, name: string): Promise<QueueFigures | undefined> {
  const { body } = await admin(node, 'GET', '/queues');
  return (body.queues as QueueFigures[]).find((q) => q.name === name);
}

describe('console: the Queues page in a real browser', { skip: browserSkipReason() }, () => {
  let node: TestNode;
  let browser: Browser;
  let tab: ConsoleTab;

  let session: SignedInConsole | undefined;

  before(async () => {
    session = await signedInConsole({ jobs: { 'index.ts': FAILING } });
    ({ node, browser, tab } = session);
  });
  after(() => session?.close());

  test('a failing message shows in the dead letters and can be peeked at as text; redrive (confirmed) empties them', async () => {
    const { page } = tab;
    await goTo(page, 'queues');
    await page.getByRole('heading', { name: 'Queues', level: 1 }).waitFor();
    assert.equal((await admin(node, 'POST', '/queues/jobs/messages', { body: { n: 7, note: '<script>window.__pwned = 2</script>' } })).status, 201);

    const jobs = page.locator('[data-queue="jobs"]');
    await jobs.locator('[data-figure="deadLettered"]', { hasText: /^1$/ }).waitFor();
    await page.locator('[data-queue="jobs.dlq"] [data-figure="depth"]', { hasText: /^1$/ }).waitFor();

    await page.getByRole('link', { name: 'jobs.dlq' }).click();
    const peek = page.locator('[data-peek="jobs.dlq"]');
    const message = peek.locator('[data-message]');
    await message.waitFor();
    assert.deepEqual(JSON.parse(await message.locator('.message-body').innerText()), { n: 7, note: '<script>window.__pwned = 2</script>' });
    assert.match(await message.innerText(), /from jobs/);
    assert.match(await message.innerText(), /cannot handle job 7 <img src=x onerror="window.__pwned = 1">/);
    assert.equal(await page.evaluate('document.querySelectorAll("img, script:not([src])").length'), 0, 'no element was made from the strings');
    assert.deepEqual(await seriousViolations(page).then(describeViolations), '');
    await screenshot(page, 'queues');

    // The fix goes live, then the dead letter goes back to jobs and is handled.
    assert.equal((await node.deploy('jobs', { 'index.ts': FIXED })).status, 201);
    await jobs.getByRole('button', { name: 'Redrive 1 dead letter' }).click();
    const dialog = page.getByRole('dialog', { name: 'Redrive jobs?' });
    await dialog.waitFor();
    assert.match(await dialog.innerText(), /1 dead letter of jobs will go back to it from the dead-letter queue/);
    await dialog.getByRole('button', { name: 'Redrive 1 message' }).click();
    await dialog.waitFor({ state: 'detached' });
    await page.getByRole('status').filter({ hasText: 'Redrove 1 message back to jobs.' }).waitFor();

    await jobs.locator('[data-figure="deadLettered"]', { hasText: /^0$/ }).waitFor();
    await page.locator('[data-queue="jobs.dlq"] [data-figure="depth"]', { hasText: /^0$/ }).waitFor();
    await peek.getByText('jobs.dlq holds no messages.').waitFor();
    await eventually(async () => (await admin(node, 'HEAD', '/blobs/done/job-7')).status === 200, UI_TIMEOUT_MS, 'the redriven job to be handled');
    const figures = await queueFigures(node, 'jobs');
    assert.equal(figures?.deadLettered, 0);
    assert.equal((await queueFigures(node, 'jobs.dlq'))?.depth, 0);
    assert.equal(await page.evaluate('window.__pwned'), undefined, 'no script ran');
    assert.deepEqual(tab.problems, []);
  });

  test('purge, with the keyboard only, asks first naming the count, and Esc changes nothing', async () => {
    const { page } = tab;
    const sent = await admin(node, 'POST', '/queues/backlog/messages', { messages: [{ body: 1 }, { body: 2 }, { body: 3, delayMs: 600_000 }] });
    assert.equal(sent.status, 201, JSON.stringify(sent.body));
    await goTo(page, 'queues');
    const backlog = page.locator('[data-queue="backlog"]');
    await backlog.locator('[data-figure="depth"]', { hasText: /^2$/ }).waitFor();
    await backlog.locator('[data-figure="delayed"]', { hasText: /^1$/ }).waitFor();

    await fromTheTop(page);
    await tabTo(page, 'Purge backlog');
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: 'Purge backlog?' });
    await dialog.waitFor();
    assert.match(await dialog.innerText(), /All 3 messages of backlog \(ready, delayed and in flight\) will be deleted/);
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    assert.equal(await focusedNameSettling(page, 'Purge backlog'), 'Purge backlog', 'focus returns to the button');
    assert.equal((await queueFigures(node, 'backlog'))?.depth, 2, 'Esc purged nothing');

    await page.keyboard.press('Enter');
    await dialog.waitFor();
    await page.keyboard.press('Tab');
    assert.equal(await focusedName(page), 'Purge 3 messages');
    await page.keyboard.press('Enter');
    await dialog.waitFor({ state: 'detached' });
    await page.getByRole('status').filter({ hasText: 'Purged 3 messages from backlog.' }).waitFor();
    const after = await queueFigures(node, 'backlog');
    assert.equal((after?.depth ?? 0) + (after?.delayed ?? 0) + (after?.inFlight ?? 0), 0);
    await backlog.getByRole('button', { name: 'Purge backlog' }).waitFor({ state: 'detached' });
  });

  test('peeking works from the keyboard: the queue link opens its messages, the limit is a select', async () => {
    const { page } = tab;
    assert.equal((await admin(node, 'POST', '/queues/backlog/messages', { body: 'plain text body' })).status, 201);
    await goTo(page, 'queues');
    await page.locator('[data-queue="backlog"] [data-figure="depth"]', { hasText: /^1$/ }).waitFor();
    await fromTheTop(page);
    await tabTo(page, 'backlog');
    await page.keyboard.press('Enter');
    await page.locator('[data-peek="backlog"] .message-body', { hasText: 'plain text body' }).waitFor();
    await tabTo(page, 'Show the first');
    await page.keyboard.press('ArrowDown');
    assert.equal(await page.getByLabel('Show the first').inputValue(), '50');
  });
});
