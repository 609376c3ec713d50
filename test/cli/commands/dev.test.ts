import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { CliContext } from '../../../src/cli/command.js';
import { runCli } from '../../../src/cli/main.js';
import { captureContext, fakeNode, waitFor } from '../support/in-process.js';
import { startStandInAdmin } from '../support/stand-in-admin.js';
import { makeTempDir } from '../support/temp-app.js';
import { TOOK } from '../support/run-cli.js';

// dev runs in-process against a stand-in node; the end-to-end test with the real node lives with the server.

const APP_V1 = `import { http } from 'nimbus-functions';\nexport const hello = http('GET /hello', () => 'v1');\n`;
const APP_V2 = `import { http } from 'nimbus-functions';\nexport const hello = http('GET /hello', () => 'v2');\n`;

/**
 * Runs `nimbus dev` in this process. A failed assertion would leave it watching, and the file waiting out its
 * timeout: the test's end stops it first, then `cleanUp` runs (the watched folder must outlive the watcher).
 */
function startDev(t: TestContext, args: string[], ctx: CliContext, signals: { emit(signal: string): unknown }, cleanUp: () => Promise<unknown>): Promise<number> {
  const exit = runCli(args, ctx);
  let ended = false;
  void exit.finally(() => { ended = true; });
  t.after(async () => {
    if (!ended) {
      signals.emit('SIGINT');
      await exit;
    }
    await cleanUp();
  });
  return exit;
}

test('dev deploys the folder, prints function logs, redeploys on save, and stops on SIGINT', async (t) => {
  let version = 0;
  const admin = await startStandInAdmin(() => ({ status: 201, body: { app: 'site', version: ++version, functions: [] } }));
  const cwd = await makeTempDir({ 'site/index.ts': APP_V1 });
  const node = fakeNode(admin.url, 'dev-key', true);
  const { ctx, stdout, signals } = captureContext({ cwd: cwd.path, startNode: node.startNode });
  const printed = (pattern: RegExp) => () => stdout.some((l) => pattern.test(l));

  const exit = startDev(t, ['dev', 'site', '--port', '0', '--no-typecheck'], ctx, signals, () => Promise.all([admin.close(), cwd.remove()]));
  await waitFor('the watcher to start', printed(/^Watching /));
  assert.equal(node.starts[0]!.dataDir, join(cwd.path, 'site', '.nimbus'), 'state lives in the app folder by default');
  assert.equal(node.starts[0]!.showFunctionErrors, true, 'a failed function answers the developer with its error message');
  assert.equal(admin.requests.length, 1);
  assert.equal(admin.requests[0]!.headers.authorization, 'Bearer dev-key');
  assert.ok(stdout.some((l) => new RegExp(String.raw`^\d\d:\d\d:\d\d Deployed site v1 in ${TOOK} \(bundle ${TOOK}, upload ${TOOK}, live ${TOOK}\)$`).test(l)), stdout.join('\n'));

  node.emitLog({ app: 'site', functionName: 'hello', version: 1, invocationId: '01a2452d-92ce-77cc-9935-acfc4b9cf753', instanceId: 'i1', stream: 'stdout', level: 'info', time: Date.now(), message: 'got a request' });
  assert.ok(stdout.some((l) => /^\d\d:\d\d:\d\d hello \[4b9cf753\] got a request$/.test(l)));

  await cwd.write('site/index.ts', APP_V2);
  await waitFor('the redeploy', printed(/Deployed site v2 in /));
  assert.match(admin.requests[1]!.body, /v2/);

  signals.emit('SIGINT');
  assert.equal(await exit, 0);
  assert.equal(node.closed, 1);
});

test('dev reports a save that does not build and keeps the last good version', async (t) => {
  let version = 0;
  const admin = await startStandInAdmin(() => ({ status: 201, body: { app: 'site', version: ++version, functions: [] } }));
  const cwd = await makeTempDir({ 'site/index.ts': APP_V1 });
  const node = fakeNode(admin.url, 'k', false);
  const { ctx, stdout, stderr, signals } = captureContext({ cwd: cwd.path, startNode: node.startNode });

  const exit = startDev(t, ['dev', 'site', '--no-typecheck'], ctx, signals, () => Promise.all([admin.close(), cwd.remove()]));
  await waitFor('the watcher to start', () => stdout.some((l) => l.startsWith('Watching ')));

  await cwd.write('site/index.ts', `import { http } from 'nimbus-functions';\nexport const hello = http('GET /hello', () => {;\n`);
  await waitFor('the failure report', () => stderr.some((l) => l.includes('still serving site v1')));
  assert.match(stderr[0]!, /^\d\d:\d\d:\d\d Deploy failed: bundling failed \(1 error\)$/);
  assert.match(stderr[1]!, /^ {2}index\.ts:3:1 /);
  assert.equal(admin.requests.length, 1, 'nothing broken was uploaded');

  signals.emit('SIGTERM');
  assert.equal(await exit, 0);
});

test('dev --create-budgets asks every deploy to create missing budgets and prints the ones it did', async (t) => {
  const admin = await startStandInAdmin(() => ({ status: 201, body: { app: 'site', version: 1, functions: [], warnings: [], createdBudgets: ['orders-db'] } }));
  const cwd = await makeTempDir({ 'site/index.ts': APP_V1 });
  const node = fakeNode(admin.url, 'k', false);
  const { ctx, stdout, signals } = captureContext({ cwd: cwd.path, startNode: node.startNode });

  const exit = startDev(t, ['dev', 'site', '--no-typecheck', '--create-budgets'], ctx, signals, () => Promise.all([admin.close(), cwd.remove()]));
  await waitFor('the watcher to start', () => stdout.some((l) => l.startsWith('Watching ')));
  assert.equal(admin.requests[0]!.path, '/_nimbus/api/v1/apps/site/versions?createBudgets=1');
  assert.ok(stdout.includes('  Created budget orders-db (concurrency 10, no rate, not adaptive): change with nimbus budgets set NAME'), stdout.join('\n'));

  signals.emit('SIGTERM');
  assert.equal(await exit, 0);
});
