/**
 * examples/hybrid-api end to end, as its README runs it: the functions folder
 * deployed with the `nimbus` CLI, a producer key for the `orders` queue, the
 * plain API server started with `node` and that key, an order POSTed to it,
 * and the receipt the queue function wrote read back from blob storage.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { admin, eventually } from '../../helpers/admin-client.js';
import { startTestNode, type TestNode } from '../../helpers/test-node.js';
import { blobText } from './trigger-fixtures.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');
const EXAMPLE = join(ROOT, 'examples', 'hybrid-api');

/** Starts the example's API server and resolves with its URL once it listens. */
async function startApiServer(env: Record<string, string>): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, [join(EXAMPLE, 'server.js')], {
    cwd: ROOT, env: { PATH: process.env['PATH'] ?? '', PORT: '0', ...env }, stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout! });
  const [line] = (await Promise.race([
    once(lines, 'line'),
    once(child, 'exit').then(([code]) => { throw new Error(`the API server exited with ${code} before listening`); }),
  ])) as [string];
  const url = /listening on (\S+)/.exec(line)?.[1];
  if (!url) throw new Error(`unexpected first line from the API server: ${line}`);
  return { url, child };
}

/** Runs `nimbus ARGS` as a child process. */
async function runCli(args: string[], env: Record<string, string>): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [join(ROOT, 'bin', 'nimbus.js'), ...args], {
    cwd: ROOT, env: { PATH: process.env['PATH'] ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk) => (stdout += chunk));
  child.stderr!.on('data', (chunk) => (stderr += chunk));
  // 'close', not 'exit': output still in the pipes is read by then.
  const [status] = (await once(child, 'close')) as [number | null];
  return { status, stdout, stderr };
}

async function postOrder(api: string, order: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(`${api}/orders`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(order) });
  return { status: res.status, body: await res.json() };
}

describe('the hybrid API example', () => {
  let node: TestNode;
  let api: { url: string; child: ChildProcess } | undefined;
  before(async () => {
    node = await startTestNode();
  });
  after(async () => {
    if (api && api.child.exitCode === null && api.child.signalCode === null) {
      const exited = once(api.child, 'exit');
      api.child.kill('SIGTERM');
      await exited;
    }
    await node.dispose();
  });

  test('an order POSTed to the plain API server is queued with a producer key and processed by the Nimbus function', async () => {
    // nimbus deploy examples/hybrid-api/functions --app hybrid (type check included)
    // Asynchronously: the node runs in this process and must keep serving while the CLI talks to it.
    const deploy = await runCli(['deploy', join(EXAMPLE, 'functions'), '--app', 'hybrid'], { NIMBUS_URL: node.url, NIMBUS_ADMIN_KEY: node.adminKey });
    assert.equal(deploy.status, 0, `deploy failed: ${deploy.stderr}`);
    assert.match(deploy.stdout, /Deployed hybrid v1/);

    // What `nimbus keys create --producer orders` does.
    const key = await admin(node, 'POST', '/keys', { scope: { kind: 'producer', queues: ['orders'] }, label: 'orders API' });
    assert.equal(key.status, 201, JSON.stringify(key.body));

    api = await startApiServer({ NIMBUS_URL: node.url, NIMBUS_KEY: key.body.key });

    const accepted = await postOrder(api.url, {
      customer: 'ada', items: [{ sku: 'tea', quantity: 2, unitPriceCents: 450 }, { sku: 'cake', quantity: 1, unitPriceCents: 300 }],
    });
    assert.equal(accepted.status, 202, JSON.stringify(accepted.body));
    assert.match(accepted.body.orderId, /^[0-9a-f-]{36}$/);
    assert.equal(typeof accepted.body.messageId, 'string');

    let receipt: any = null;
    await eventually(async () => {
      const text = await blobText(node, 'receipts', `${accepted.body.orderId}.json`);
      receipt = text && JSON.parse(text);
      return receipt !== null;
    }, 20_000, 'the receipt');
    assert.equal(receipt.customer, 'ada');
    assert.equal(receipt.totalCents, 2 * 450 + 300);
    assert.equal(receipt.messageId, accepted.body.messageId);
    assert.equal(receipt.attempt, 1);
  });

  test('the API server refuses a bad order itself, and a resent order id is stored once', async () => {
    assert.ok(api, 'the API server runs (previous test)');
    const bad = await postOrder(api.url, { customer: 'ada', items: [{ sku: 'tea', quantity: 0, unitPriceCents: 450 }] });
    assert.equal(bad.status, 400);
    assert.match(bad.body.error, /items\[0\]/);

    const order = { orderId: 'order-42', customer: 'grace', items: [{ sku: 'book', quantity: 1, unitPriceCents: 1999 }] };
    const first = await postOrder(api.url, order);
    const again = await postOrder(api.url, order);
    assert.equal(first.status, 202);
    assert.deepEqual(again.body, { orderId: 'order-42', messageId: first.body.messageId, duplicate: true });
    await eventually(async () => (await blobText(node, 'receipts', 'order-42.json')) !== null, 20_000, 'the receipt of order-42');
  });
});
