import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { contentHash, type BundleStore } from '../../../src/blobs/bundles/bundle-store.js';
import { openBundleStore } from '../../../src/blobs/open-blob-storage.js';
import { createS3Location } from '../../../src/blobs/s3/s3-client.js';
import { FakeClock } from '../../helpers/fake-clock.js';
import { startS3Server } from '../../helpers/s3-server.js';
import { useSharedS3Server } from './temp-s3-backend.js';

const s3 = useSharedS3Server();

/** Two "nodes": separate data folders (bundle caches) on one S3 prefix. */
async function twoNodes(prefix: string, clock?: FakeClock): Promise<{ a: BundleStore; b: BundleStore; dirs: string[]; dispose(): Promise<void> }> {
  const server = await s3();
  const dirs = [await mkdtemp(join(tmpdir(), 'nimbus-node-a-')), await mkdtemp(join(tmpdir(), 'nimbus-node-b-'))];
  const config = server.config(prefix);
  const [a, b] = await Promise.all(dirs.map((dataDir) => openBundleStore(config, { dataDir, ...(clock ? { clock } : {}) })));
  return {
    a: a!, b: b!, dirs,
    dispose: async () => {
      await a!.close();
      await b!.close();
      for (const dir of dirs) await rm(dir, { recursive: true, force: true });
    },
  };
}

test('a node that never saw the deploy fetches the bundle on first need, then serves it from its own disk', async () => {
  const nodes = await twoNodes('bundles-fetch');
  const server = await s3();
  try {
    const code = 'export default { fetch() { return new Response("hi") } };';
    const stored = await nodes.a.put(code, '.mjs');
    assert.equal(stored.hash, contentHash(code));
    assert.deepEqual(await readdir(join(nodes.dirs[1]!, 'bundles')), [], 'node b has no copy yet');
    const path = await nodes.b.local(stored.hash, '.mjs');
    assert.equal(path, join(nodes.dirs[1]!, 'bundles', `${stored.hash}.mjs`));
    assert.equal(await readFile(path, 'utf8'), code);
    // Cached: served while the object store is away.
    await server.stop();
    try {
      assert.equal(await nodes.b.local(stored.hash, '.mjs'), path);
    } finally {
      await server.start();
    }
  } finally {
    await nodes.dispose();
  }
});

test('a fetched bundle whose content does not match its hash is refused and not cached', async () => {
  const nodes = await twoNodes('bundles-tampered');
  const server = await s3();
  const location = createS3Location(server.config('bundles-tampered'));
  try {
    const stored = await nodes.a.put('export const real = 1;', '.mjs');
    await location.client.send(new PutObjectCommand({ Bucket: server.bucket, Key: `bundles-tampered/bundles/${stored.hash}.mjs`, Body: 'export const evil = 1;' }));
    await assert.rejects(nodes.b.local(stored.hash, '.mjs'), /content hash .* refused/);
    assert.deepEqual(await readdir(join(nodes.dirs[1]!, 'bundles')), []);
    await assert.rejects(nodes.b.local('f'.repeat(64), '.mjs'), /neither on this node nor in the S3 bucket/);
  } finally {
    location.client.destroy();
    await nodes.dispose();
  }
});

test('the bundle sweep keeps what is referenced and what is younger than the grace period', async () => {
  const clock = new FakeClock(Date.now());
  const nodes = await twoNodes('bundles-sweep', clock);
  const server = await s3();
  const location = createS3Location(server.config('bundles-sweep'));
  const exists = (hash: string): Promise<boolean> =>
    location.client.send(new GetObjectCommand({ Bucket: server.bucket, Key: `bundles-sweep/bundles/${hash}.mjs` })).then((r) => { r.Body?.transformToString(); return true; }, () => false);
  try {
    const kept = await nodes.a.put('export const kept = 1;', '.mjs');
    const dropped = await nodes.a.put('export const dropped = 1;', '.mjs');
    await nodes.b.sweep(new Set([kept.hash]));
    assert.ok(await exists(dropped.hash), 'too young: another node may be committing the deploy that uses it');
    await clock.advance(61 * 60_000);
    await nodes.b.sweep(new Set([kept.hash]));
    assert.equal(await exists(dropped.hash), false);
    assert.ok(await exists(kept.hash));
  } finally {
    location.client.destroy();
    await nodes.dispose();
  }
});

test('S3 unreachable: a deploy\'s bundle write is a 503 storage fault', async () => {
  const server = await startS3Server();
  const dir = await mkdtemp(join(tmpdir(), 'nimbus-node-'));
  const store = await openBundleStore(server.config('down'), { dataDir: dir });
  try {
    await server.stop();
    await assert.rejects(store.put('export const x = 1;', '.mjs'), { code: 'NIMBUS_ERR_STORE_UNAVAILABLE', status: 503 });
  } finally {
    await store.close();
    await server.remove();
    await rm(dir, { recursive: true, force: true });
  }
});
