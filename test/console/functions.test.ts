import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { admin, eventually } from '../helpers/admin-client.js';
import type { TestNode } from '../helpers/test-node.js';
import { screenshot } from './support/artifacts.js';
import { describeViolations, seriousViolations } from './support/axe.js';
import { browserSkipReason } from './support/browser.js';
import { goTo, openConsole, signIn, UI_TIMEOUT_MS, type ConsoleTab } from './support/console-page.js';
import { focusedNameSettling, tabTo } from './support/keyboard.js';
import { readEveryPage } from './support/paging.js';
import { signedInConsole, type SignedInConsole } from './support/signed-in-console.js';
import { runNimbus } from '../cli/support/run-cli.js';
import { makeTempDir } from '../cli/support/temp-app.js';

const SHOP = `
import { http } from 'nimbus-functions';
export const hello = http({ route: 'GET /shop-hello' }, () => { console.log('hello from shop'); return { hello: true }; });
export const evil = http({ route: 'GET /shop-evil' }, () => {
  console.log('<img src=x onerror="window.__pwned = 1"><script>window.__pwned = 3</script>');
  throw new Error('<img src=y onerror="window.__pwned = 2">');
});
`;
const answering = (word: string) => `
import { http } from 'nimbus-functions';
export const answer = http({ route: 'GET /roll' }, () => new Response('${word}'));
`;

const FLIP = `
import { http } from 'nimbus-functions';
export const flip = http({ route: 'GET /flip/:how' }, (_req, ctx) => {
  if (ctx.params.how === 'fail') throw new Error('flipped');
  return new Response('ok');
});
`;
/** Small enough that a handful of apps or invocations take several pages. */
const PAGE_SIZE = 2;

async function routeAnswer(node: TestNode, path: string): Promise<string> {
  return (await fetch(`${node.url}${path}`)).text();
}

/** The distinct values of an attribute on the rows shown now, in order (`data-function` → `shop/hello`). */
async function rowsShown(page: Page, attribute: string, map: (value: string) => string = (v) => v): Promise<string[]> {
  const values = await page.locator(`[${attribute}]`).evaluateAll((rows, name) => rows.map((r) => r.getAttribute(name) ?? ''), attribute);
  return [...new Set(values.map(map))];
}


describe('console: the Functions pages in a real browser', { skip: browserSkipReason() }, () => {
  let node: TestNode;
  let browser: Browser;
  let tab: ConsoleTab;

  let session: SignedInConsole | undefined;

  before(async () => {
    session = await signedInConsole({});
    ({ node, browser, tab } = session);
  });
  after(() => session?.close());

  test('an app deployed after the page opened appears in the list without a reload', async () => {
    const { page } = tab;
    await goTo(page, 'functions');
    await page.getByRole('heading', { name: 'Functions', level: 1 }).waitFor();
    await page.getByText('No apps deployed yet').waitFor();
    await page.evaluate('window.__samePage = true');
    // Deployed as a user does it: `nimbus deploy` from a folder, a process of its own.
    const folder = await makeTempDir({ 'shop/index.ts': SHOP });
    try {
      const deployed = await runNimbus(['deploy', 'shop', '--no-typecheck', '--url', node.url, '--key', node.adminKey], { cwd: folder.path });
      assert.equal(deployed.code, 0, deployed.stderr);
    } finally {
      await folder.remove();
    }
    const row = page.locator('[data-function="shop/hello"]');
    await row.waitFor();
    assert.equal(await page.evaluate('window.__samePage'), true, 'the page was not reloaded');
    const cells = await row.locator('td').allInnerTexts();
    assert.equal(cells[2], 'http');
    assert.equal(cells[3], 'GET /shop-hello');
    assert.match(cells[4]!, /memory 128 MB/);
    assert.deepEqual(await seriousViolations(page).then(describeViolations), '');
    await screenshot(page, 'functions');
  });

  test('invoking the function shows its invocation and its log line live', async () => {
    const { page } = tab;
    await page.locator('[data-function="shop/hello"]').getByRole('link', { name: 'hello' }).click();
    await page.getByRole('heading', { name: 'shop/hello', level: 1 }).waitFor();
    await page.locator('[data-stream="live"]').waitFor();
    const settings = await page.locator('dl.settings').innerText();
    assert.match(settings, new RegExp(`Route URL\\s+${node.url}/shop-hello\\s+Function URL\\s+${node.url}/fn/shop/hello`));
    assert.equal(await routeAnswer(node, '/shop-hello'), '{"hello":true}');
    await page.locator('.log-message', { hasText: 'hello from shop' }).waitFor();
    const invocation = page.locator('[data-invocation]').first();
    await invocation.waitFor();
    assert.equal(await invocation.getAttribute('data-outcome'), 'ok');
    const cells = await invocation.locator('td').allInnerTexts();
    assert.equal(cells[1], 'ok');
    assert.match(cells[4]!, /^\d+(\.\d+)? m?s$/, 'billed time');
    assert.equal(cells[5], 'v1');
    assert.deepEqual(await seriousViolations(page).then(describeViolations), '');
    await screenshot(page, 'function-detail');
  });

  test('markup in a log line and in an error message is shown as text and runs nothing', async () => {
    const { page } = tab;
    await goTo(page, 'functions', 'shop', 'evil');
    await page.locator('[data-stream="live"]').waitFor();
    assert.equal((await fetch(`${node.url}/shop-evil`)).status, 500);
    const line = page.locator('.log-message', { hasText: '<img src=x onerror=' });
    await line.waitFor();
    assert.equal(await line.innerText(), '<img src=x onerror="window.__pwned = 1"><script>window.__pwned = 3</script>');
    const failed = page.locator('[data-outcome="error"]').first();
    await failed.waitFor();
    assert.match(await failed.locator('.error-text').innerText(), /<img src=y onerror="window.__pwned = 2">/);
    // Filtering by outcome: the failure stays under "failed", and "ok" lists none of this function's.
    await page.getByLabel('Outcome').selectOption('ok');
    await page.getByText('No invocations with outcome ok yet.').waitFor();
    await page.getByLabel('Outcome').selectOption('failed');
    await page.locator('[data-outcome="error"]').first().waitFor();
    assert.equal(await page.evaluate('document.querySelectorAll("img, script:not([src])").length'), 0, 'no element was made from the strings');
    assert.equal(await page.evaluate('window.__pwned'), undefined, 'no script ran');
    assert.deepEqual(tab.problems, []);
  });

  test('rollback from the versions list (confirmed, with the keyboard only) switches what the route answers', async () => {
    const { page } = tab;
    assert.equal((await node.deploy('roll', { 'index.ts': answering('one') })).status, 201);
    assert.equal((await node.deploy('roll', { 'index.ts': answering('two') })).status, 201);
    assert.equal(await routeAnswer(node, '/roll'), 'two');
    await goTo(page, 'functions', 'roll', 'answer');
    await page.locator('[data-version="1"]').getByRole('button').waitFor();
    await page.locator('body').focus();

    // Esc closes the question without doing anything, and focus goes back to the button.
    await tabTo(page, 'Roll back to v1');
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: 'Roll back roll to v1?' });
    await dialog.waitFor();
    assert.equal(await page.evaluate('document.activeElement.textContent'), 'Cancel');
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate('document.activeElement.textContent'), 'Make v1 live');
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate('document.activeElement.textContent'), 'Cancel', 'focus stays in the dialog');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    assert.equal(await focusedNameSettling(page, 'Roll back to v1'), 'Roll back to v1', 'focus returns to the button');
    assert.equal(await routeAnswer(node, '/roll'), 'two');

    await page.keyboard.press('Enter');
    await dialog.waitFor();
    assert.deepEqual(await seriousViolations(page).then(describeViolations), '', 'the dialog');
    await screenshot(page, 'rollback-dialog');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await dialog.waitFor({ state: 'detached' });
    await eventually(async () => (await routeAnswer(node, '/roll')) === 'one', UI_TIMEOUT_MS, 'the route to answer from v1');
    await page.locator('[data-version="1"]', { hasText: 'live' }).waitFor();
    await page.locator('[data-version="2"]').getByRole('button', { name: 'Roll back to v2' }).waitFor();
  });

  test('the nav, links and filters are reachable with Tab and work with Enter and the arrow keys', async () => {
    const { page } = tab;
    await goTo(page, 'overview');
    await page.getByRole('heading', { name: 'Overview', level: 1 }).waitFor();
    await page.locator('body').focus();
    await tabTo(page, 'Functions');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Functions', level: 1 }).waitFor();
    await tabTo(page, 'hello');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'shop/hello', level: 1 }).waitFor();
    await page.locator('body').focus();
    await tabTo(page, 'Outcome');
    await page.keyboard.press('ArrowDown');
    assert.equal(await page.getByLabel('Outcome').inputValue(), 'ok');
    await tabTo(page, 'Log of shop/hello');
  });

  test('the Functions list pages through more apps than a page holds, showing each app once', async () => {
    for (const name of ['page-a', 'page-b', 'page-c', 'page-d', 'page-e']) {
      const deployed = await node.deploy(name, { 'index.ts': `import { http } from 'nimbus-functions';\nexport const f = http({ route: 'GET /${name}' }, () => '${name}');\n` });
      assert.equal(deployed.status, 201, JSON.stringify(deployed.body));
    }
    const everyApp = ((await admin(node, 'GET', '/apps')).body.apps as { name: string }[]).map((a) => a.name);
    assert.ok(everyApp.length > 2 * PAGE_SIZE, `more apps (${everyApp.length}) than two pages hold`);
    const paged = await openConsole(browser, node.url, `?pageSize=${PAGE_SIZE}`);
    try {
      const { page } = paged;
      const asked: string[] = [];
      page.on('request', (request) => { if (request.url().includes('/api/v1/apps?')) asked.push(request.url()); });
      await signIn(page, node.adminKey);
      await page.getByRole('navigation', { name: 'Console' }).waitFor();
      await goTo(page, 'functions');
      const pages = await readEveryPage(page, 'Apps', () => rowsShown(page, 'data-function', (f) => f.split('/')[0]!));
      assert.ok(pages.every((apps) => apps.length <= PAGE_SIZE), `at most ${PAGE_SIZE} apps a page: ${JSON.stringify(pages)}`);
      assert.equal(pages.length, Math.ceil(everyApp.length / PAGE_SIZE));
      const seen = pages.flat();
      assert.equal(new Set(seen).size, seen.length, `no app on two pages: ${JSON.stringify(pages)}`);
      assert.deepEqual([...seen].sort(), [...everyApp].sort(), 'every app was on a page');
      assert.ok(asked.some((url) => url.includes(`limit=${PAGE_SIZE}`) && url.includes('cursor=')), 'later pages were asked for by cursor');

      // Back to the start: the first page again.
      await page.getByRole('navigation', { name: 'Apps pages' }).getByRole('button', { name: 'First' }).click();
      await eventually(async () => JSON.stringify(await rowsShown(page, 'data-function', (f) => f.split('/')[0]!)) === JSON.stringify(pages[0]), UI_TIMEOUT_MS, 'the first page again');
      assert.deepEqual(paged.problems, []);
    } finally {
      await paged.close();
    }
  });

  test('the invocations list pages with `before` and filters by outcome on the node', async () => {
    assert.equal((await node.deploy('outcomes', { 'index.ts': FLIP })).status, 201);
    for (const how of ['pass', 'fail', 'pass', 'fail', 'pass', 'fail', 'pass']) {
      assert.equal((await fetch(`${node.url}/flip/${how}`)).status, how === 'fail' ? 500 : 200);
    }
    const recorded = async (outcome = ''): Promise<string[]> =>
      ((await admin(node, 'GET', `/invocation-records?app=outcomes&fn=flip&limit=1000${outcome ? `&outcome=${outcome}` : ''}`)).body.records as { id: string }[]).map((r) => r.id);
    await eventually(async () => (await recorded()).length === 7, UI_TIMEOUT_MS, 'seven invocation records');
    const failed = await recorded('failed');
    assert.equal(failed.length, 3);

    const paged = await openConsole(browser, node.url, `?pageSize=${PAGE_SIZE}`);
    try {
      const { page } = paged;
      const asked: URL[] = [];
      page.on('request', (request) => { if (request.url().includes('/api/v1/invocation-records?')) asked.push(new URL(request.url())); });
      await signIn(page, node.adminKey);
      await page.getByRole('navigation', { name: 'Console' }).waitFor();
      await goTo(page, 'functions', 'outcomes', 'flip');
      await page.getByRole('heading', { name: 'outcomes/flip', level: 1 }).waitFor();

      // Every outcome, newest first, two a page: each record once, in the node's order.
      const all = await readEveryPage(page, 'Invocations', () => rowsShown(page, 'data-invocation'));
      assert.deepEqual(all.map((p) => p.length), [2, 2, 2, 1]);
      assert.deepEqual(all.flat(), await recorded(), 'every record once, newest first');
      assert.ok(asked.some((url) => url.searchParams.has('before')), 'later pages were asked for `before` a cursor');

      // Failures only: filtered by the node, so the pages are full ones of failures alone.
      await Promise.all([
        page.waitForRequest((request) => new URL(request.url()).searchParams.get('outcome') === 'failed'),
        page.getByLabel('Outcome', { exact: true }).selectOption('failed'),
      ]);
      // Rows of the unfiltered list may linger for a moment after the change: a page counts once it shows failures alone.
      const failuresShown = async (): Promise<string[]> =>
        ((await rowsShown(page, 'data-outcome')).every((o) => o !== 'ok') ? rowsShown(page, 'data-invocation') : []);
      const failures = await readEveryPage(page, 'Invocations', failuresShown);
      assert.deepEqual(failures.map((p) => p.length), [2, 1], 'full pages: the node filtered');
      assert.deepEqual(failures.flat(), failed);
      assert.ok(asked.filter((url) => url.searchParams.get('outcome') === 'failed').some((url) => url.searchParams.has('before')), 'failures paged with `before`');

      await Promise.all([
        page.waitForRequest((request) => new URL(request.url()).searchParams.get('outcome') === 'ok'),
        page.getByLabel('Outcome', { exact: true }).selectOption('ok'),
      ]);
      await eventually(async () => JSON.stringify(await rowsShown(page, 'data-outcome')) === '["ok"]', UI_TIMEOUT_MS, 'only ok invocations');
      assert.deepEqual(paged.problems, []);
    } finally {
      await paged.close();
    }
  });
});
