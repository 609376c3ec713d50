/**
 * The contract every BlobBackend keeps, run against each implementation
 * (local files today; S3-compatible later) by its own test file.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import type { BlobBackend } from '../../src/blobs/blob-backend.js';
import { BlobError, type BlobErrorCode } from '../../src/blobs/blob-errors.js';

export interface BlobBackendContract {
  name: string;
  open(): Promise<{ backend: BlobBackend; dispose(): Promise<void> }>;
}

const body = (s: string): Readable => Readable.from([Buffer.from(s)]);
const md5 = (s: string): string => `"${createHash('md5').update(s).digest('hex')}"`;

async function rejectsWith(promise: Promise<unknown>, code: BlobErrorCode): Promise<BlobError> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof BlobError, `expected a BlobError, got ${String(err)}`);
    assert.equal(err.code, code, err.message);
    return err;
  }
  assert.fail(`expected ${code}, but it succeeded`);
}

export function runBlobBackendContract({ name, open }: BlobBackendContract): void {
  const withBackend = (title: string, fn: (b: BlobBackend) => Promise<void>): void => {
    test(`${name}: ${title}`, async () => {
      const { backend, dispose } = await open();
      try {
        await fn(backend);
      } finally {
        await dispose();
      }
    });
  };

  withBackend('put then get returns the bytes, content type, metadata and an MD5 ETag', async (b) => {
    const put = await b.putObject('photos', 'a/b.txt', body('hello'), { contentType: 'text/plain', metadata: { Owner: 'ann' } });
    assert.deepEqual({ etag: put.etag, size: put.size, eventType: put.eventType }, { etag: md5('hello'), size: 5, eventType: 'created' });
    const got = await b.getObject('photos', 'a/b.txt');
    assert.equal(await text(got.body), 'hello');
    assert.equal(got.meta.contentType, 'text/plain');
    assert.deepEqual(got.meta.metadata, { owner: 'ann' }, 'metadata names are lower-cased');
    assert.equal(got.meta.etag, md5('hello'));
    const head = await b.headObject('photos', 'a/b.txt');
    assert.equal(head.size, 5);
    assert.equal(head.sequencer, put.sequencer);
  });

  withBackend('a first write creates its bucket; an overwrite is "updated" with a later sequencer', async (b) => {
    const first = await b.putObject('auto', 'k', body('one'));
    assert.deepEqual((await b.listBuckets()).map((x) => x.name), ['auto']);
    const second = await b.putObject('auto', 'k', body('two!'));
    assert.equal(second.eventType, 'updated');
    assert.ok(second.sequencer > first.sequencer, `${second.sequencer} > ${first.sequencer}`);
    assert.equal(await text((await b.getObject('auto', 'k')).body), 'two!');
    assert.equal((await b.headObject('auto', 'k')).contentType, 'application/octet-stream');
  });

  withBackend('empty objects round-trip', async (b) => {
    const put = await b.putObject('empty', 'zero', body(''));
    assert.equal(put.size, 0);
    assert.equal(await text((await b.getObject('empty', 'zero')).body), '');
  });

  withBackend('missing objects and buckets are 404s that say which', async (b) => {
    await rejectsWith(b.getObject('nobucket', 'k'), 'NIMBUS_ERR_BLOB_BUCKET_NOT_FOUND');
    await b.createBucket('there');
    await rejectsWith(b.getObject('there', 'k'), 'NIMBUS_ERR_BLOB_NOT_FOUND');
    await rejectsWith(b.headObject('there', 'k'), 'NIMBUS_ERR_BLOB_NOT_FOUND');
    await rejectsWith(b.list('nobucket'), 'NIMBUS_ERR_BLOB_BUCKET_NOT_FOUND');
  });

  withBackend('delete removes the object; deleting what is absent reports deleted: false', async (b) => {
    await b.putObject('del', 'k', body('x'));
    assert.equal((await b.deleteObject('del', 'k')).deleted, true);
    await rejectsWith(b.getObject('del', 'k'), 'NIMBUS_ERR_BLOB_NOT_FOUND');
    assert.deepEqual(await b.deleteObject('del', 'k'), { deleted: false });
  });

  withBackend('buckets: create is idempotent, delete only when empty (409), listed by name', async (b) => {
    assert.deepEqual(await b.createBucket('bbb'), { created: true });
    assert.deepEqual(await b.createBucket('bbb'), { created: false });
    await b.createBucket('aaa');
    assert.deepEqual((await b.listBuckets()).map((x) => x.name), ['aaa', 'bbb']);
    await b.putObject('bbb', 'k', body('x'));
    await rejectsWith(b.deleteBucket('bbb'), 'NIMBUS_ERR_BLOB_BUCKET_NOT_EMPTY');
    await b.deleteObject('bbb', 'k');
    await b.deleteBucket('bbb');
    assert.deepEqual((await b.listBuckets()).map((x) => x.name), ['aaa']);
    await rejectsWith(b.deleteBucket('bbb'), 'NIMBUS_ERR_BLOB_BUCKET_NOT_FOUND');
  });

  withBackend('bad bucket names and path-escaping keys are refused, naming the field', async (b) => {
    for (const bucket of ['AB', 'ab', '-abc', 'a_b_c', 'a'.repeat(64), 'a..b', '../x']) {
      const err = await rejectsWith(b.putObject(bucket, 'k', body('x')), 'NIMBUS_ERR_BLOB_INVALID_BUCKET_NAME');
      assert.equal(err.details?.field, 'bucket');
    }
    for (const key of ['', '/abs', '../up', 'a/../b', 'a/./b', 'nul\u0000', 'tab\there', 'a\\b', 'é'.repeat(513), '\ud800lone']) {
      const err = await rejectsWith(b.putObject('keys', key, body('x')), 'NIMBUS_ERR_BLOB_INVALID_KEY');
      assert.equal(err.details?.field, 'key');
    }
    // Dots inside a segment and exactly 1024 bytes are fine.
    await b.putObject('keys', 'a..b/.hidden/x.tar.gz', body('x'));
    await b.putObject('keys', 'k'.repeat(1024), body('x'));
    await rejectsWith(b.putObject('keys', 'k', body('x'), { metadata: { 'bad name!': 'v' } }), 'NIMBUS_ERR_BLOB_INVALID_REQUEST');
  });

  withBackend('If-None-Match: * creates only; If-Match must match the current ETag', async (b) => {
    const first = await b.putObject('cond', 'k', body('v1'), { ifNoneMatch: '*' });
    await rejectsWith(b.putObject('cond', 'k', body('v2'), { ifNoneMatch: '*' }), 'NIMBUS_ERR_BLOB_PRECONDITION_FAILED');
    await rejectsWith(b.putObject('cond', 'k', body('v2'), { ifMatch: md5('other') }), 'NIMBUS_ERR_BLOB_PRECONDITION_FAILED');
    await rejectsWith(b.putObject('cond', 'absent', body('v2'), { ifMatch: '*' }), 'NIMBUS_ERR_BLOB_PRECONDITION_FAILED');
    assert.equal(await text((await b.getObject('cond', 'k')).body), 'v1', 'refused writes change nothing');
    const second = await b.putObject('cond', 'k', body('v2'), { ifMatch: first.etag });
    assert.equal(second.eventType, 'updated');
    await rejectsWith(b.getObject('cond', 'k', { ifNoneMatch: second.etag }), 'NIMBUS_ERR_BLOB_NOT_MODIFIED');
    await rejectsWith(b.getObject('cond', 'k', { ifMatch: first.etag }), 'NIMBUS_ERR_BLOB_PRECONDITION_FAILED');
    await rejectsWith(b.deleteObject('cond', 'k', { ifMatch: first.etag }), 'NIMBUS_ERR_BLOB_PRECONDITION_FAILED');
    assert.equal((await b.deleteObject('cond', 'k', { ifMatch: `W/${second.etag}` })).deleted, true);
  });

  withBackend('ranges: start-end, open end, suffix, clamped end; past the end is 416', async (b) => {
    await b.putObject('rng', 'k', body('0123456789'));
    const read = async (range: Parameters<BlobBackend['getObject']>[2]): Promise<[string, unknown]> => {
      const r = await b.getObject('rng', 'k', range);
      return [await text(r.body), r.range];
    };
    assert.deepEqual(await read({ range: { start: 2, end: 4 } }), ['234', { start: 2, end: 4 }]);
    assert.deepEqual(await read({ range: { start: 7 } }), ['789', { start: 7, end: 9 }]);
    assert.deepEqual(await read({ range: { suffix: 3 } }), ['789', { start: 7, end: 9 }]);
    assert.deepEqual(await read({ range: { suffix: 50 } }), ['0123456789', { start: 0, end: 9 }]);
    assert.deepEqual(await read({ range: { start: 8, end: 99 } }), ['89', { start: 8, end: 9 }]);
    await rejectsWith(b.getObject('rng', 'k', { range: { start: 10 } }), 'NIMBUS_ERR_BLOB_RANGE_NOT_SATISFIABLE');
    await rejectsWith(b.getObject('rng', 'k', { range: { suffix: 0 } }), 'NIMBUS_ERR_BLOB_RANGE_NOT_SATISFIABLE');
  });

  withBackend('list: prefix and delimiter group keys like folders, in byte order', async (b) => {
    for (const key of ['photos/2024/a.jpg', 'photos/2024/b.jpg', 'photos/2025/c.jpg', 'photos/top.jpg', 'photos/Z.jpg', 'readme', 'photos/é.jpg']) {
      await b.putObject('lst', key, body(key));
    }
    const all = await b.list('lst');
    assert.deepEqual(all.objects.map((o) => o.key), ['photos/2024/a.jpg', 'photos/2024/b.jpg', 'photos/2025/c.jpg', 'photos/Z.jpg', 'photos/top.jpg', 'photos/é.jpg', 'readme']);
    assert.equal(all.nextCursor, null);
    const folders = await b.list('lst', { prefix: 'photos/', delimiter: '/' });
    assert.deepEqual(folders.commonPrefixes, ['photos/2024/', 'photos/2025/']);
    assert.deepEqual(folders.objects.map((o) => o.key), ['photos/Z.jpg', 'photos/top.jpg', 'photos/é.jpg']);
    const root = await b.list('lst', { delimiter: '/' });
    assert.deepEqual(root.commonPrefixes, ['photos/']);
    assert.deepEqual(root.objects.map((o) => o.key), ['readme']);
    assert.equal(root.objects[0]?.size, 6);
  });

  withBackend('list pages with a cursor: every entry exactly once, common prefixes counted as entries', async (b) => {
    const keys: string[] = [];
    for (let i = 0; i < 25; i++) keys.push(`f/${String(i).padStart(2, '0')}`);
    for (let d = 0; d < 5; d++) for (let i = 0; i < 3; i++) keys.push(`f/dir${d}/${i}`);
    for (const key of keys) await b.putObject('pages', key, body('x'));
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await b.list('pages', { prefix: 'f/', delimiter: '/', limit: 7, ...(cursor ? { cursor } : {}) });
      assert.ok(page.objects.length + page.commonPrefixes.length <= 7);
      seen.push(...page.objects.map((o) => o.key), ...page.commonPrefixes);
      cursor = page.nextCursor ?? undefined;
      pages++;
    } while (cursor);
    const expected = [...keys.filter((k) => !k.includes('dir')), ...[0, 1, 2, 3, 4].map((d) => `f/dir${d}/`)].sort();
    assert.deepEqual(seen.sort(), expected);
    assert.equal(pages, Math.ceil(30 / 7));
    const exact = await b.list('pages', { prefix: 'f/dir0/', limit: 3 });
    assert.equal(exact.nextCursor, null, 'no cursor when the page ends exactly at the last entry');
    await rejectsWith(b.list('pages', { limit: 1001 }), 'NIMBUS_ERR_BLOB_INVALID_REQUEST');
    await rejectsWith(b.list('pages', { limit: 0 }), 'NIMBUS_ERR_BLOB_INVALID_REQUEST');
    await rejectsWith(b.list('pages', { cursor: 'not a cursor!' }), 'NIMBUS_ERR_BLOB_INVALID_REQUEST');
  });
}
