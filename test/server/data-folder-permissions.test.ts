import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { admin } from '../helpers/admin-client.js';
import { startTestNode } from '../helpers/test-node.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const mode = (path: string): number => statSync(path).mode & 0o777;

test('a pre-created 0755 data folder becomes 0700, and what the node writes in it is 0600', async (t) => {
  const temp = makeTempDir('nimbus-perms-');
  const dataDir = join(temp.dir, 'data');
  mkdirSync(dataDir);
  chmodSync(dataDir, 0o755);
  // A node id written by an older version, world-readable.
  writeFileSync(join(dataDir, 'node-id'), 'node-old\n', { mode: 0o644 });
  chmodSync(join(dataDir, 'node-id'), 0o644);
  const node = await startTestNode({ dataDir });
  t.after(async () => {
    await node.dispose();
    temp.remove();
  });

  assert.equal(mode(dataDir), 0o700);
  for (const file of ['state.sqlite', 'state.sqlite-wal', 'state.sqlite-shm', 'node-id', 'master-key']) {
    assert.equal(mode(join(dataDir, file)), 0o600, file);
  }

  assert.equal((await admin(node, 'PUT', '/blobs/files')).status, 201);
  const put = await fetch(`${node.url}/_nimbus/api/v1/blobs/files/a.txt`, { method: 'PUT', headers: { authorization: `Bearer ${node.adminKey}` }, body: 'secret-ish' });
  assert.equal(put.status, 201);
  const dataRoot = join(dataDir, 'blobs', 'data');
  const stored = readdirSync(dataRoot).flatMap((shard) => readdirSync(join(dataRoot, shard)).map((name) => join(dataRoot, shard, name)));
  assert.equal(stored.length, 1);
  assert.equal(mode(stored[0]!), 0o600, 'blob data');
  for (const dir of ['blobs', 'blobs/data', 'blobs/tmp', 'bundles']) assert.equal(mode(join(dataDir, dir)) & 0o077, 0, `${dir} is not open to others`);
});

test('a data folder the node creates is 0700 from the start, with the generated admin key 0600', async (t) => {
  const temp = makeTempDir('nimbus-perms-');
  const dataDir = join(temp.dir, 'fresh', 'data');
  const node = await startTestNode({ dataDir, adminKey: '' });
  t.after(async () => {
    await node.dispose();
    temp.remove();
  });
  assert.equal(node.adminKeyGenerated, true);
  assert.equal(mode(dataDir), 0o700);
  assert.equal(mode(join(dataDir, 'admin-key')), 0o600);
  assert.equal(mode(join(dataDir, 'state.sqlite')), 0o600);
});
