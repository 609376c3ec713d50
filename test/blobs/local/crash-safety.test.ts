import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fork } from 'node:child_process';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { openLocalBackend } from './temp-local-backend.js';

const CHILD = fileURLToPath(new URL('./fixtures/endless-put-child.js', import.meta.url));

/** Starts an upload that never ends in a real child process and SIGKILLs it mid-stream. */
async function killMidUpload(dir: string, bucket: string, key: string): Promise<void> {
  const child = fork(CHILD, [dir, bucket, key], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const exited = once(child, 'exit');
  const [message] = (await Promise.race([once(child, 'message'), exited.then(() => ['exited early'])])) as [string];
  assert.equal(message, 'uploading');
  // The upload is really under way: its bytes are in a temp file.
  const tmp = await readdir(join(dir, 'blobs', 'tmp'));
  assert.equal(tmp.length, 1);
  assert.ok((await stat(join(dir, 'blobs', 'tmp', tmp[0] as string))).size > 0);
  child.kill('SIGKILL');
  const [code, signal] = (await exited) as [number | null, string | null];
  assert.deepEqual([code, signal], [null, 'SIGKILL']);
}

test('SIGKILL during an overwrite leaves the old object intact and the store consistent', async () => {
  const first = await openLocalBackend();
  const dir = first.dir;
  const original = await first.backend.putObject('photos', 'cat.jpg', Readable.from([Buffer.from('the original')]), { contentType: 'image/jpeg' });
  await first.close();

  await killMidUpload(dir, 'photos', 'cat.jpg');

  const reopened = await openLocalBackend(dir);
  try {
    assert.equal(reopened.db.pragma('integrity_check', { simple: true }), 'ok');
    const got = await reopened.backend.getObject('photos', 'cat.jpg');
    assert.equal(await text(got.body), 'the original');
    assert.equal(got.meta.etag, original.etag);
    assert.deepEqual(await readdir(join(dir, 'blobs', 'tmp')), [], 'temp files are swept at open');
    const shards = await readdir(join(dir, 'blobs', 'data'));
    const files = (await Promise.all(shards.map((s) => readdir(join(dir, 'blobs', 'data', s))))).flat();
    assert.equal(files.length, 1, 'only the live object has a data file');
    const events = await reopened.index.readAfter('test', 10);
    assert.deepEqual(events.map((e) => e.eventType), ['created'], 'the killed write recorded no event');
    // And the store still takes writes.
    const next = await reopened.backend.putObject('photos', 'cat.jpg', Readable.from([Buffer.from('v2')]));
    assert.equal(next.eventType, 'updated');
  } finally {
    await reopened.dispose();
  }
});

test('SIGKILL during a first write leaves nothing: no object, no bucket, no event', async () => {
  const first = await openLocalBackend();
  const dir = first.dir;
  await first.close();

  await killMidUpload(dir, 'fresh', 'new.bin');

  const reopened = await openLocalBackend(dir);
  try {
    assert.equal(reopened.db.pragma('integrity_check', { simple: true }), 'ok');
    await assert.rejects(reopened.backend.headObject('fresh', 'new.bin'), { code: 'NIMBUS_ERR_BLOB_BUCKET_NOT_FOUND' });
    assert.deepEqual(await reopened.backend.listBuckets(), []);
    assert.deepEqual(await reopened.index.readAfter('test', 10), []);
    assert.deepEqual(await readdir(join(dir, 'blobs', 'tmp')), []);
  } finally {
    await reopened.dispose();
  }
});
