import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { runCli } from '../../../src/cli/main.js';
import { captureContext, fakeNode, waitFor } from '../support/in-process.js';
import { startStandInAdmin } from '../support/stand-in-admin.js';
import { makeTempDir } from '../support/temp-app.js';
import { TOOK } from '../support/run-cli.js';

// start runs in-process against a stand-in node; the end-to-end test with the real node lives with the server.

test('start passes host, port and data folder to the node, prints the URL and a new admin key once, and stops on SIGTERM', async (t) => {
  const cwd = await makeTempDir();
  t.after(() => cwd.remove());
  const node = fakeNode('http://127.0.0.1:9999', 'fresh-key', true);
  const { ctx, stdout, signals } = captureContext({ cwd: cwd.path, startNode: node.startNode });

  const exit = runCli(['start', '--port', '9999', '--data', 'state'], ctx);
  await waitFor('the node to start', () => stdout.includes('Press Ctrl+C to stop.'));
  assert.deepEqual(node.starts, [{ host: '127.0.0.1', port: 9999, dataDir: join(cwd.path, 'state'), isolation: 'auto' }]);
  assert.equal(node.closed, 0);
  signals.emit('SIGTERM');

  assert.equal(await exit, 0);
  assert.equal(node.closed, 1);
  assert.deepEqual(stdout, [
    'Nimbus is running at http://127.0.0.1:9999',
    `Admin key (shown once, saved to ${join(cwd.path, 'state', 'admin-key')}): fresh-key`,
    `The CLI run with NIMBUS_DATA=${join(cwd.path, 'state')} talks to this node (its URL is in ${join(cwd.path, 'state', 'url')}).`,
    'Press Ctrl+C to stop.',
    'SIGTERM: stopping…',
    'Stopped.',
  ]);
});

test('start reads NIMBUS_HOST, NIMBUS_PORT and NIMBUS_DATA, and never prints a key it did not generate', async (t) => {
  const cwd = await makeTempDir();
  t.after(() => cwd.remove());
  const node = fakeNode('http://0.0.0.0:7000', 'old-key', false);
  const { ctx, stdout, signals } = captureContext({
    cwd: cwd.path,
    startNode: node.startNode,
    env: { NIMBUS_HOST: '0.0.0.0', NIMBUS_PORT: '7000', NIMBUS_DATA: '/var/lib/nimbus' },
  });

  const exit = runCli(['start'], ctx);
  await waitFor('the node to start', () => stdout.includes('Press Ctrl+C to stop.'));
  signals.emit('SIGINT');

  assert.equal(await exit, 0);
  assert.deepEqual(node.starts, [{ host: '0.0.0.0', port: 7000, dataDir: '/var/lib/nimbus', isolation: 'auto' }]);
  assert.ok(!stdout.join('\n').includes('old-key'));
  assert.ok(stdout.includes('Admin key: in /var/lib/nimbus/admin-key'), stdout.join('\n'));
});

test('start says where the admin key is: the data folder, or NIMBUS_ADMIN_KEY; and which folder the CLI pairs with', async (t) => {
  const cwd = await makeTempDir();
  t.after(() => cwd.remove());
  const node = fakeNode('http://127.0.0.1:7001', 'env-key', false);
  const { ctx, stdout, signals } = captureContext({ cwd: cwd.path, startNode: node.startNode, env: { NIMBUS_ADMIN_KEY: 'env-key' } });

  const exit = runCli(['start'], ctx);
  await waitFor('the node to start', () => stdout.includes('Press Ctrl+C to stop.'));
  signals.emit('SIGINT');

  assert.equal(await exit, 0);
  assert.equal(node.starts[0]!.adminKey, 'env-key', 'the node is handed the key the CLI reports');
  assert.deepEqual(stdout.slice(0, 3), [
    'Nimbus is running at http://127.0.0.1:7001',
    'Admin key: from NIMBUS_ADMIN_KEY',
    `The CLI run in ${cwd.path} talks to this node (its URL is in ${join(cwd.path, '.nimbus', 'url')}).`,
  ]);
});

test('start --example deploys the app to the node it started, with that node\'s key', async (t) => {
  const admin = await startStandInAdmin(() => ({ status: 201, body: { app: 'hello', version: 1, functions: [{ name: 'hi', kind: 'http', route: 'GET /hi', url: 'http://x/hi' }] } }));
  const cwd = await makeTempDir({ 'examples/hello/index.ts': `import { http } from 'nimbus-functions';\nexport const hi = http('GET /hi', () => 'hi');\n` });
  t.after(() => Promise.all([admin.close(), cwd.remove()]));
  const node = fakeNode(admin.url, 'node-key', false);
  const { ctx, stdout, signals } = captureContext({ cwd: cwd.path, startNode: node.startNode });

  const exit = runCli(['start', '--example', 'examples/hello'], ctx);
  await waitFor('the example to deploy', () => stdout.includes('Press Ctrl+C to stop.'));
  signals.emit('SIGTERM');

  assert.equal(await exit, 0);
  const uploads = admin.requests.filter((r) => r.method === 'POST');
  assert.equal(uploads.length, 1);
  assert.equal(uploads[0]!.path, '/_nimbus/api/v1/apps/hello/versions');
  assert.equal(uploads[0]!.headers.authorization, 'Bearer node-key');
  assert.ok(stdout.some((l) => new RegExp(`^Deployed hello v1 in ${TOOK}$`).test(l)), stdout.join('\n'));
});

test('start --example with an app that does not build stops the node and exits 1', async (t) => {
  const cwd = await makeTempDir({ 'broken/index.ts': `export const = ;\n` });
  t.after(() => cwd.remove());
  const node = fakeNode('http://127.0.0.1:1', 'k', false);
  const { ctx, stderr } = captureContext({ cwd: cwd.path, startNode: node.startNode });

  assert.equal(await runCli(['start', '--example', 'broken'], ctx), 1);
  assert.equal(node.closed, 1);
  assert.match(stderr[0]!, /^nimbus: bundling failed/);
  assert.match(stderr[1]!, /^ {2}index\.ts:1:14 /);
});
