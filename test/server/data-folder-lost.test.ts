import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, renameSync, rmSync } from 'node:fs';
import { admin, eventually } from '../helpers/admin-client.js';
import { startTestNode, type TestNode } from '../helpers/test-node.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const APP = `
import { http } from 'nimbus-functions';
export const hello = http({ route: 'GET /hello' }, () => ({ hello: 'world' }));
`;

async function health(node: TestNode): Promise<{ status: number; body: { status: string; reason?: string } }> {
  const response = await fetch(`${node.url}/_nimbus/health`);
  return { status: response.status, body: (await response.json()) as { status: string; reason?: string } };
}

function assertUnavailable(answer: { status: number; body: any; headers: Headers }, what: string): void {
  assert.equal(answer.status, 503, `${what}: ${JSON.stringify(answer.body)}`);
  assert.equal(answer.body.error.code, 'NIMBUS_ERR_STORE_UNAVAILABLE', what);
  assert.ok(Number(answer.headers.get('retry-after')) > 0, `${what} says when to retry`);
}

test('a data folder deleted under a running node: health turns 503 without a write, writes are refused, reads still answer', async (t) => {
  const temp = makeTempDir('nimbus-lost-');
  const dataDir = `${temp.dir}/data`;
  let node: TestNode | undefined = await startTestNode({ dataDir });
  t.after(async () => {
    await node?.close().catch(() => undefined);
    temp.remove();
  });
  assert.equal((await node.deploy('shop', { 'index.ts': APP })).status, 201);
  assert.equal((await admin(node, 'POST', '/queues/orders/messages', { body: { n: 'before' } })).status, 201);
  assert.deepEqual(await health(node), { status: 200, body: { status: 'ok' } });
  // A running instance has its bundle loaded; a new one could not load it from a deleted folder.
  assert.equal((await fetch(`${node.url}/hello`)).status, 200);

  rmSync(dataDir, { recursive: true, force: true });
  // Nothing writes: the periodic check (every second) finds it.
  await eventually(async () => (await health(node!)).status === 503, 10_000, 'health to turn 503');
  const unhealthy = await health(node);
  assert.equal(unhealthy.body.status, 'unhealthy');
  assert.match(unhealthy.body.reason ?? '', /^storage: the (data folder|state file) was removed$/);

  const refused = {
    queue: await admin(node, 'POST', '/queues/orders/messages', { body: { n: 'after' } }),
    deploy: await node.deploy('shop', { 'index.ts': APP.replace('world', 'again') }),
    blobBucket: await admin(node, 'PUT', '/blobs/files'),
    key: await admin(node, 'POST', '/keys', { scope: { kind: 'admin' } }),
    secret: await admin(node, 'PUT', '/apps/shop/secrets/TOKEN', { value: 'v' }),
    appRemove: await admin(node, 'DELETE', '/apps/shop'),
  };
  for (const [what, answer] of Object.entries(refused)) assertUnavailable(answer, what);

  // Reads that still work keep working: the open connection still reads what it had.
  const apps = await admin(node, 'GET', '/apps');
  assert.equal(apps.status, 200);
  assert.deepEqual(apps.body.apps.map((a: { name: string }) => a.name), ['shop']);
  const peek = await admin(node, 'GET', '/queues/orders/messages');
  assert.equal(peek.status, 200);
  assert.deepEqual(peek.body.messages.map((m: { body: { n: string } }) => m.body.n), ['before']);
  const hello = await fetch(`${node.url}/hello`);
  assert.equal(hello.status, 200, 'a running instance still answers');
  assert.deepEqual(await hello.json(), { hello: 'world' });

  const metrics = await (await fetch(`${node.url}/metrics`, { headers: { authorization: `Bearer ${node.adminKey}` } })).text();
  assert.match(metrics, /^nimbus_store_healthy 0$/m);
  assert.match(metrics, /^nimbus_storage_errors_total\{area="state",kind="lost"\} [1-9]\d*$/m);

  // A restart on a fresh folder at the same path: nothing refused above was kept anywhere.
  await node.close();
  node = await startTestNode({ dataDir });
  assert.deepEqual(await health(node), { status: 200, body: { status: 'ok' } });
  // The queue is not even known there: it never had a message on this folder.
  assert.equal((await admin(node, 'GET', '/queues/orders/messages')).body.error.code, 'NIMBUS_ERR_QUEUE_NOT_FOUND');
  assert.deepEqual((await admin(node, 'GET', '/apps')).body.apps, []);
});

test('a state file replaced under a running node: the next write is not acknowledged', async (t) => {
  const node = await startTestNode();
  t.after(() => node.dispose());
  assert.equal((await admin(node, 'POST', '/queues/jobs/messages', { body: 1 })).status, 201);
  // What restoring a backup over a running node's file does.
  copyFileSync(`${node.dataDir}/state.sqlite`, `${node.dataDir}/restored.sqlite`);
  renameSync(`${node.dataDir}/restored.sqlite`, `${node.dataDir}/state.sqlite`);
  const answer = await admin(node, 'POST', '/queues/jobs/messages', { body: 2 });
  assertUnavailable(answer, 'queue send');
  const current = await health(node);
  assert.equal(current.status, 503);
  assert.equal(current.body.reason, 'storage: the state file was replaced');
});
