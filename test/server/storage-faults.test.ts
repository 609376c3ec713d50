import { describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { startTestNode, type TestNode } from '../helpers/test-node.js';
import { fillUp, mountExt4, mountSkipReason, mountTmpfs, type ScratchMount } from '../helpers/scratch-mounts.js';

/**
 * Storage faults under a real node whose data folder is on a file system of
 * its own: a small tmpfs filled to the brim (507), and an ext4 image that
 * turns read-only under the running node (503). Writes get their own codes,
 * reads keep working, /metrics counts them, and a full disk passes.
 */

const APP = `
import { http } from 'nimbus-functions';

export const enqueue = http({ route: 'POST /enqueue' }, async (req, ctx) => {
  try {
    await ctx.queues.send('from-function', { n: 1 });
    return { sent: true };
  } catch (error) {
    return { sent: false, code: error.code };
  }
});
`;
const APP_V2 = APP.replace('{ n: 1 }', '{ n: 2 }');

interface Answer {
  status: number;
  headers: Headers;
  body: any;
}

async function call(node: TestNode, method: string, path: string, body?: unknown, key = node.adminKey): Promise<Answer> {
  const raw = typeof body === 'string';
  const response = await fetch(`${node.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body !== undefined && !raw ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: raw ? body : JSON.stringify(body) } : {}),
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    // not JSON (a blob's bytes)
  }
  return { status: response.status, headers: response.headers, body: parsed };
}

const api = (path: string) => `/_nimbus/api/v1${path}`;

function assertRefused(answer: Answer, status: number, code: string, what: string): void {
  assert.equal(answer.status, status, `${what}: ${JSON.stringify(answer.body)}`);
  assert.match(answer.headers.get('content-type') ?? '', /application\/json/, `${what} answers JSON`);
  assert.equal(answer.body?.error?.code, code, what);
  if (status === 503) assert.ok(Number(answer.headers.get('retry-after')) > 0, `${what} says when to retry`);
}

/** `name{labels} value` lines of the Prometheus text, as a map. */
async function metrics(node: TestNode): Promise<Map<string, number>> {
  const text = (await call(node, 'GET', '/metrics')).body as string;
  const series = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = /^(nimbus_store_healthy|nimbus_storage_errors_total)(\{[^}]*\})? (\S+)$/.exec(line);
    if (m) series.set(`${m[1]}${m[2] ?? ''}`, Number(m[3]));
  }
  return series;
}

/** Deploys, makes a bucket, stores a blob, sends a message and makes a producer key: the things reads are checked on. */
async function seed(node: TestNode): Promise<{ producerKey: string }> {
  assert.equal((await node.deploy('shop', { 'index.ts': APP })).status, 201);
  assert.equal((await call(node, 'PUT', api('/blobs/files'))).status, 201);
  assert.equal((await call(node, 'PUT', api('/blobs/files/kept'), 'kept bytes')).status, 201);
  assert.equal((await call(node, 'POST', api('/queues/orders/messages'), { body: { n: 'kept' } })).status, 201);
  const key = await call(node, 'POST', api('/keys'), { scope: { kind: 'producer', queues: ['orders'] } });
  assert.equal(key.status, 201);
  return { producerKey: key.body.key as string };
}

/**
 * A node whose data folder is on `mount`, seeded, with its function warm (so invoking
 * it writes nothing to the disk); closed and unmounted when the test ends.
 */
async function seededNodeOn(t: TestContext, mount: { dir: string; unmount(): void }): Promise<{ node: TestNode; producerKey: string }> {
  let node: TestNode | undefined;
  t.after(async () => {
    await node?.close().catch(() => undefined);
    mount.unmount();
  });
  node = await startTestNode({ dataDir: join(mount.dir, 'data') });
  const { producerKey } = await seed(node);
  assert.deepEqual((await call(node, 'POST', '/enqueue', {})).body, { sent: true });
  return { node, producerKey };
}

async function assertReadsWork(node: TestNode): Promise<void> {
  const blob = await call(node, 'GET', api('/blobs/files/kept'));
  assert.equal(blob.status, 200);
  assert.equal(blob.body, 'kept bytes');
  const peek = await call(node, 'GET', api('/queues/orders/messages'));
  assert.equal(peek.status, 200);
  assert.ok(peek.body.messages.some((m: { body: { n: string } }) => m.body.n === 'kept'));
  const apps = await call(node, 'GET', api('/apps'));
  assert.equal(apps.status, 200);
  assert.deepEqual(apps.body.apps.map((a: { name: string }) => a.name), ['shop']);
}

/** Every kind of write the node takes, each expected to be refused with `status` and `code`. */
async function assertWritesRefused(node: TestNode, producerKey: string, status: number, code: string): Promise<void> {
  assertRefused(await call(node, 'PUT', api('/blobs/files/new'), 'x'.repeat(64 * 1024)), status, code, 'blob PUT');
  assertRefused(await call(node, 'POST', api('/queues/orders/messages'), { body: { n: 'x'.repeat(16 * 1024) } }), status, code, 'queue send (admin)');
  assertRefused(await call(node, 'POST', api('/queues/orders/messages'), { body: { n: 'y'.repeat(16 * 1024) } }, producerKey), status, code, 'queue send (producer key)');
  assertRefused(await node.deploy('shop', { 'index.ts': APP_V2 }), status, code, 'deploy');
  assertRefused(await call(node, 'POST', api('/keys'), { scope: { kind: 'admin' }, label: 'k'.repeat(100) }), status, code, 'key create');
  assertRefused(await call(node, 'PUT', api('/apps/shop/secrets/TOKEN'), { value: 's'.repeat(4096) }), status, code, 'secret set');
  // From inside a function: ctx.queues.send rejects with the code.
  const fromFunction = await call(node, 'POST', '/enqueue', {});
  assert.equal(fromFunction.status, 200, JSON.stringify(fromFunction.body));
  assert.deepEqual(fromFunction.body, { sent: false, code });
}

describe('storage faults on a real node', { skip: mountSkipReason() }, () => {
  test('a full disk: writes answer 507 NIMBUS_ERR_STORAGE_FULL, reads work, /metrics counts it, and writes work again once there is room', async (t) => {
    let mount: ScratchMount;
    try {
      mount = mountTmpfs(48);
    } catch (error) {
      t.skip(`cannot mount a tmpfs here: ${(error as Error).message}`);
      return;
    }
    const { node, producerKey } = await seededNodeOn(t, mount);

    const filler = fillUp(mount.dir);
    await assertWritesRefused(node, producerKey, 507, 'NIMBUS_ERR_STORAGE_FULL');
    await assertReadsWork(node);
    const health = await call(node, 'GET', '/_nimbus/health');
    assert.equal(health.status, 200, 'a full disk is degraded, not dead: reads still work');
    assert.equal(health.body.status, 'degraded');
    assert.match(health.body.reason, /no space left/);
    const full = await metrics(node);
    assert.equal(full.get('nimbus_store_healthy'), 0);
    assert.ok((full.get('nimbus_storage_errors_total{area="blobs",kind="full"}') ?? 0) >= 1, JSON.stringify([...full]));
    assert.ok((full.get('nimbus_storage_errors_total{area="state",kind="full"}') ?? 0) >= 3, JSON.stringify([...full]));
    assert.ok((full.get('nimbus_storage_errors_total{area="bundles",kind="full"}') ?? 0) >= 1, JSON.stringify([...full]));

    rmSync(filler);
    assert.equal((await call(node, 'PUT', api('/blobs/files/new'), 'x'.repeat(64 * 1024))).status, 201);
    assert.equal((await call(node, 'POST', api('/queues/orders/messages'), { body: { n: 'after' } }, producerKey)).status, 201);
    assert.equal((await node.deploy('shop', { 'index.ts': APP_V2 })).status, 201);
    assert.equal((await call(node, 'POST', api('/keys'), { scope: { kind: 'admin' } })).status, 201);
    const healthy = await call(node, 'GET', '/_nimbus/health');
    assert.deepEqual([healthy.status, healthy.body.status], [200, 'ok']);
    assert.equal((await metrics(node)).get('nimbus_store_healthy'), 1);
  });

  test('a disk that turns read-only under the node: writes answer 503 NIMBUS_ERR_STORE_UNAVAILABLE with Retry-After, reads work', async (t) => {
    let mount: ReturnType<typeof mountExt4>;
    try {
      mount = mountExt4(64);
    } catch (error) {
      t.skip(`cannot mount an ext4 image on a loop device here: ${(error as Error).message}`);
      return;
    }
    const { node, producerKey } = await seededNodeOn(t, mount);

    mount.failIntoReadOnly();
    await assertWritesRefused(node, producerKey, 503, 'NIMBUS_ERR_STORE_UNAVAILABLE');
    await assertReadsWork(node);
    const series = await metrics(node);
    assert.equal(series.get('nimbus_store_healthy'), 0);
    // The file system says EROFS to new files; SQLite, writing into files it holds open, says SQLITE_IOERR_WRITE.
    assert.ok((series.get('nimbus_storage_errors_total{area="blobs",kind="read_only"}') ?? 0) >= 1, JSON.stringify([...series]));
    assert.ok((series.get('nimbus_storage_errors_total{area="state",kind="io"}') ?? 0) >= 1, JSON.stringify([...series]));
    assert.ok(statSync(join(mount.dir, 'data', 'state.sqlite')).isFile());
  });
});
