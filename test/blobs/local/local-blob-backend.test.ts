import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { readdir, writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { runBlobBackendContract } from '../blob-backend.contract.js';
import { openLocalBackend } from './temp-local-backend.js';

runBlobBackendContract({ name: 'local files', open: () => openLocalBackend() });

const body = (s: string): Readable => Readable.from([Buffer.from(s)]);

async function dataFiles(root: string): Promise<string[]> {
  const out: string[] = [];
  for (const shard of await readdir(join(root, 'blobs', 'data'))) out.push(...(await readdir(join(root, 'blobs', 'data', shard))));
  return out.sort();
}

test('an overwrite or delete removes the superseded data file', async () => {
  const t = await openLocalBackend();
  try {
    await t.backend.putObject('files', 'k', body('one'));
    const [first] = await dataFiles(t.dir);
    await t.backend.putObject('files', 'k', body('two'));
    const after = await dataFiles(t.dir);
    assert.equal(after.length, 1);
    assert.notEqual(after[0], first, 'the new version lives in a new file');
    await t.backend.deleteObject('files', 'k');
    assert.deepEqual(await dataFiles(t.dir), []);
  } finally {
    await t.dispose();
  }
});

test('a reader that opened the old version keeps reading it while an overwrite commits', async () => {
  const t = await openLocalBackend();
  try {
    await t.backend.putObject('files', 'k', body('old bytes'));
    const reading = await t.backend.getObject('files', 'k');
    await t.backend.putObject('files', 'k', body('new bytes'));
    assert.equal(await text(reading.body), 'old bytes');
    assert.equal(await text((await t.backend.getObject('files', 'k')).body), 'new bytes');
  } finally {
    await t.dispose();
  }
});

test('a failed upload (the body stream errors) leaves the old object and no files behind', async () => {
  const t = await openLocalBackend();
  try {
    await t.backend.putObject('files', 'k', body('kept'));
    const failing = new Readable({ read() {} });
    failing.push(Buffer.alloc(100_000, 1));
    setImmediate(() => failing.destroy(new Error('client went away')));
    await assert.rejects(t.backend.putObject('files', 'k', failing), /client went away/);
    assert.equal(await text((await t.backend.getObject('files', 'k')).body), 'kept');
    assert.equal((await dataFiles(t.dir)).length, 1);
    assert.deepEqual(await readdir(join(t.dir, 'blobs', 'tmp')), []);
  } finally {
    await t.dispose();
  }
});

test('opening sweeps temporary files and data files no object points at', async () => {
  const t = await openLocalBackend();
  await t.backend.putObject('files', 'k', body('live'));
  const [live] = await dataFiles(t.dir);
  await t.close();
  // What a crash leaves: a half-written temp file, and a synced data file whose commit never happened.
  await writeFile(join(t.dir, 'blobs', 'tmp', 'ffffffffffffffffffffffffffffffff'), 'half');
  await mkdir(join(t.dir, 'blobs', 'data', 'ee'), { recursive: true });
  await writeFile(join(t.dir, 'blobs', 'data', 'ee', 'eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee'), 'orphan');
  const reopened = await openLocalBackend(t.dir);
  try {
    assert.deepEqual(await dataFiles(t.dir), [live]);
    assert.deepEqual(await readdir(join(t.dir, 'blobs', 'tmp')), []);
    assert.equal(await text((await reopened.backend.getObject('files', 'k')).body), 'live');
  } finally {
    await reopened.dispose();
  }
});

test('an upload over the configured maximum is refused and leaves nothing behind', async () => {
  const t = await openLocalBackend();
  try {
    const { LocalBlobBackend } = await import('../../../src/blobs/local/local-blob-backend.js');
    const small = await LocalBlobBackend.open({ root: join(t.dir, 'blobs'), index: t.index, maxObjectBytes: 10 });
    await assert.rejects(small.putObject('files', 'big', body('01234567890')), { code: 'NIMBUS_ERR_BLOB_TOO_LARGE' });
    await small.putObject('files', 'fits', body('0123456789'));
    assert.equal((await dataFiles(t.dir)).length, 1);
  } finally {
    await t.dispose();
  }
});

test('an upload of several write batches in uneven chunks is stored byte for byte, its ETag the MD5 of those bytes', async () => {
  const t = await openLocalBackend();
  try {
    // Over five 1 MiB batches, in chunks that never line up with them: batches are written in order while the next one gathers.
    const chunks: Buffer[] = [];
    for (let i = 0, size = 0; size < 5 * 1024 * 1024 + 12_345; i++) {
      const chunk = randomBytes(1_000 + ((i * 7_919) % 90_000));
      chunks.push(chunk);
      size += chunk.length;
    }
    const all = Buffer.concat(chunks);
    const put = await t.backend.putObject('files', 'big', Readable.from(chunks));
    assert.equal(put.size, all.length);
    assert.equal(put.etag, `"${createHash('md5').update(all).digest('hex')}"`);
    const got = Buffer.concat(await (await t.backend.getObject('files', 'big')).body.toArray());
    assert.ok(got.equals(all), 'the same bytes in the same order');
  } finally {
    await t.dispose();
  }
});

test('an upload failing after several batches were written (one maybe still in flight) leaves the old object and no files behind', async () => {
  const t = await openLocalBackend();
  try {
    await t.backend.putObject('files', 'k', body('kept'));
    let sent = 0;
    const failing = new Readable({
      read() {
        if (sent >= 3 * 1024 * 1024) return void this.destroy(new Error('client went away'));
        sent += 256 * 1024;
        this.push(Buffer.alloc(256 * 1024, 2));
      },
    });
    await assert.rejects(t.backend.putObject('files', 'k', failing), /client went away/);
    assert.equal(await text((await t.backend.getObject('files', 'k')).body), 'kept');
    assert.equal((await dataFiles(t.dir)).length, 1);
    assert.deepEqual(await readdir(join(t.dir, 'blobs', 'tmp')), []);
  } finally {
    await t.dispose();
  }
});
