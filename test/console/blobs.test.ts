import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import type { Browser } from 'playwright-core';
import { admin, eventually } from '../helpers/admin-client.js';
import type { TestNode } from '../helpers/test-node.js';
import { screenshot } from './support/artifacts.js';
import { describeViolations, seriousViolations } from './support/axe.js';
import { browserSkipReason } from './support/browser.js';
import { goTo, UI_TIMEOUT_MS, type ConsoleTab } from './support/console-page.js';
import { focusedName, fromTheTop, tabTo } from './support/keyboard.js';
import { signedInConsole, type SignedInConsole } from './support/signed-in-console.js';

const TRIGGERED = `
import { blob } from 'nimbus-functions';
export const stored = blob({ bucket: 'inbox', path: 'reports/{name}' }, async (event) => {
  console.log('stored ' + event.key + ' (' + event.size + ' bytes)');
});
`;
const EVIL_KEY = '<img src=x onerror="window.__pwned = 1">.txt';
/** Big enough that the browser reports the upload in several steps. */
const REPORT = Buffer.alloc(3 * 1024 * 1024, 'nimbus report line\n');

function blobUrl(node: TestNode, bucket: string, key: string): string {
  return `${node.url}/_nimbus/api/v1/blobs/${bucket}/${key.split('/').map(encodeURIComponent).join('/')}`;
}

describe('console: the Blobs page in a real browser', { skip: browserSkipReason() }, () => {
  let node: TestNode;
  let browser: Browser;
  let tab: ConsoleTab;

  let session: SignedInConsole | undefined;

  before(async () => {
    session = await signedInConsole({ files: { 'index.ts': TRIGGERED } });
    ({ node, browser, tab } = session);
  });
  after(() => session?.close());

  test('a bucket made from the page; a file uploaded into a folder with progress to 100 %; its blob trigger logs it', async () => {
    const { page } = tab;
    await goTo(page, 'blobs');
    await page.getByText('No buckets yet').waitFor();
    await fromTheTop(page);
    await tabTo(page, 'Bucket name');
    await page.keyboard.type('inbox');
    await page.keyboard.press('Enter');
    await page.locator('[data-bucket="inbox"]').waitFor();
    await tabTo(page, 'inbox');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'inbox/', level: 1 }).waitFor();

    await goTo(page, 'blobs', 'inbox', 'reports');
    await page.getByRole('heading', { name: 'inbox/reports/', level: 1 }).waitFor();
    await page.getByLabel('File').setInputFiles({ name: 'q3.txt', mimeType: 'text/plain', buffer: REPORT });
    await page.getByRole('button', { name: 'Upload', exact: true }).click();
    await page.getByRole('status').filter({ hasText: 'Uploaded reports/q3.txt (3.0 MiB).' }).waitFor();
    assert.equal(await page.locator('#upload-progress').getAttribute('data-progress'), '100');
    assert.equal(await page.evaluate('document.getElementById("upload-progress").value'), 100);

    const head = await fetch(blobUrl(node, 'inbox', 'reports/q3.txt'), { method: 'HEAD', headers: { authorization: `Bearer ${node.adminKey}` } });
    assert.equal(head.status, 200);
    assert.equal(head.headers.get('content-length'), String(REPORT.length));
    assert.equal(head.headers.get('content-type'), 'text/plain');
    await eventually(async () => {
      const { body } = await admin(node, 'GET', '/apps/files/logs?fn=stored');
      return (body.lines as { message: string }[]).some((l) => l.message === `stored reports/q3.txt (${REPORT.length} bytes)`);
    }, UI_TIMEOUT_MS, "the blob trigger's log line");

    const row = page.locator('[data-key="reports/q3.txt"]');
    await row.waitFor();
    assert.equal(await row.locator('.object-name').innerText(), 'q3.txt');
  });

  test('folders come from delimiter=/; details show size, type, ETag and metadata; download gets the bytes', async () => {
    const { page } = tab;
    const put = await fetch(blobUrl(node, 'inbox', 'reports/2025/notes.json'), {
      method: 'PUT', body: '{"ok":true}',
      headers: { authorization: `Bearer ${node.adminKey}`, 'content-type': 'application/json', 'x-nimbus-meta-owner': 'ops <team>' },
    });
    assert.equal(put.status, 201);
    await goTo(page, 'blobs', 'inbox');
    await page.locator('[data-folder="reports/"]').waitFor();
    await page.getByRole('link', { name: 'reports/' }).click();
    await page.locator('[data-folder="reports/2025/"]').waitFor();
    await page.getByRole('link', { name: '2025/' }).click();
    await page.getByRole('heading', { name: 'inbox/reports/2025/', level: 1 }).waitFor();
    await page.getByRole('button', { name: 'Details of reports/2025/notes.json' }).click();
    const details = page.locator('[data-object-details="reports/2025/notes.json"]');
    await details.locator('[data-detail="etag"]').waitFor();
    assert.equal(await details.locator('[data-detail="etag"]').innerText(), put.headers.get('etag'));
    assert.equal(await details.locator('[data-detail="type"]').innerText(), 'application/json');
    assert.equal(await details.locator('[data-detail="size"]').innerText(), '11 B (11 bytes)');
    assert.equal(await details.locator('[data-metadata="owner"]').innerText(), 'ops <team>');
    assert.deepEqual(await seriousViolations(page).then(describeViolations), '');

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download reports/2025/notes.json' }).click()]);
    assert.equal(download.suggestedFilename(), 'notes.json');
    assert.equal(await readFile((await download.path())!, 'utf8'), '{"ok":true}');
  });

  test('a key with markup is shown as text and runs nothing; delete asks first (keyboard only)', async () => {
    const { page } = tab;
    const put = await fetch(blobUrl(node, 'inbox', EVIL_KEY), { method: 'PUT', body: 'x', headers: { authorization: `Bearer ${node.adminKey}` } });
    assert.equal(put.status, 201);
    await goTo(page, 'blobs', 'inbox');
    const row = page.locator('.object-name', { hasText: EVIL_KEY });
    await row.waitFor();
    assert.equal(await row.innerText(), EVIL_KEY);
    await page.locator('[data-folder="reports/"]').waitFor();
    assert.deepEqual(await seriousViolations(page).then(describeViolations), '');
    await screenshot(page, 'blobs');

    await fromTheTop(page);
    await tabTo(page, `Delete ${EVIL_KEY}`);
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: `Delete ${EVIL_KEY}?` });
    await dialog.waitFor();
    await page.keyboard.press('Tab');
    assert.equal(await focusedName(page), 'Delete object');
    await page.keyboard.press('Enter');
    await dialog.waitFor({ state: 'detached' });
    await row.waitFor({ state: 'detached' });
    const gone = await fetch(blobUrl(node, 'inbox', EVIL_KEY), { method: 'HEAD', headers: { authorization: `Bearer ${node.adminKey}` } });
    assert.equal(gone.status, 404);

    assert.equal(await page.evaluate('document.querySelectorAll("img, script:not([src])").length'), 0, 'no element was made from the key');
    assert.equal(await page.evaluate('window.__pwned'), undefined, 'no script ran');
    assert.deepEqual(tab.problems, []);
  });
});
