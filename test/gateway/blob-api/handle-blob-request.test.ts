import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { request } from 'node:http';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { parseRangeHeader } from '../../../src/gateway/blob-api/handle-blob-request.js';
import { openLocalBackend, type TempLocalBackend } from '../../blobs/local/temp-local-backend.js';
import { PREFIX, send, startBlobApiServer } from './blob-api-server.js';

let store: TempLocalBackend;
let api: Awaited<ReturnType<typeof startBlobApiServer>>;
before(async () => {
  store = await openLocalBackend();
  api = await startBlobApiServer(store.backend);
});
after(async () => {
  await api.close();
  await store.dispose();
});

const md5 = (s: string): string => `"${createHash('md5').update(s).digest('hex')}"`;

test('buckets: PUT creates (201, then 200), GET / lists, DELETE refuses a non-empty bucket with 409', async () => {
  assert.equal((await send(api.port, 'PUT', '/shelf')).status, 201);
  assert.equal((await send(api.port, 'PUT', '/shelf')).status, 200);
  const listed = await send(api.port, 'GET', '/');
  assert.ok(listed.json().buckets.some((b: { name: string }) => b.name === 'shelf'));
  await send(api.port, 'PUT', '/shelf/book', { body: 'x' });
  const refused = await send(api.port, 'DELETE', '/shelf');
  assert.equal(refused.status, 409);
  assert.equal(refused.json().error.code, 'NIMBUS_ERR_BLOB_BUCKET_NOT_EMPTY');
  assert.equal((await send(api.port, 'DELETE', '/shelf/book')).status, 204);
  assert.equal((await send(api.port, 'DELETE', '/shelf')).status, 204);
  assert.equal((await send(api.port, 'DELETE', '/shelf')).status, 404);
});

test('objects: PUT stores content type and x-nimbus-meta-* headers; GET and HEAD give them back with ETag', async () => {
  const put = await send(api.port, 'PUT', '/docs/notes/today%20%C3%A9.txt', {
    headers: { 'content-type': 'text/plain; charset=utf-8', 'x-nimbus-meta-author': 'ann', 'x-nimbus-meta-Draft': 'yes' },
    body: 'hello world',
  });
  assert.equal(put.status, 201);
  assert.equal(put.headers.etag, md5('hello world'));
  assert.deepEqual(
    { key: put.json().key, eventType: put.json().eventType, size: put.json().size },
    { key: 'notes/today é.txt', eventType: 'created', size: 11 },
  );
  const got = await send(api.port, 'GET', '/docs/notes/today%20%C3%A9.txt');
  assert.equal(got.status, 200);
  assert.equal(got.body.toString(), 'hello world');
  assert.equal(got.headers['content-type'], 'text/plain; charset=utf-8');
  assert.equal(got.headers['content-length'], '11');
  assert.equal(got.headers['x-nimbus-meta-author'], 'ann');
  assert.equal(got.headers['x-nimbus-meta-draft'], 'yes');
  assert.equal(got.headers['accept-ranges'], 'bytes');
  const head = await send(api.port, 'HEAD', '/docs/notes/today%20%C3%A9.txt');
  assert.equal(head.status, 200);
  assert.equal(head.headers.etag, md5('hello world'));
  assert.equal(head.body.length, 0);
  const overwrite = await send(api.port, 'PUT', '/docs/notes/today%20%C3%A9.txt', { body: 'v2' });
  assert.equal(overwrite.status, 200);
  assert.equal(overwrite.json().eventType, 'updated');
  assert.equal((await send(api.port, 'HEAD', '/docs/missing')).status, 404);
  const missing = await send(api.port, 'GET', '/docs/missing');
  assert.equal(missing.json().error.code, 'NIMBUS_ERR_BLOB_NOT_FOUND');
});

test('conditional requests: If-None-Match: * creates only (412), If-Match mismatch is 412, a current ETag gets 304', async () => {
  const created = await send(api.port, 'PUT', '/cond/k', { headers: { 'if-none-match': '*' }, body: 'one' });
  assert.equal(created.status, 201);
  const again = await send(api.port, 'PUT', '/cond/k', { headers: { 'if-none-match': '*' }, body: 'two' });
  assert.equal(again.status, 412);
  assert.equal(again.json().error.code, 'NIMBUS_ERR_BLOB_PRECONDITION_FAILED');
  const stale = await send(api.port, 'PUT', '/cond/k', { headers: { 'if-match': md5('something else') }, body: 'two' });
  assert.equal(stale.status, 412);
  const fresh = await send(api.port, 'PUT', '/cond/k', { headers: { 'if-match': created.headers.etag as string }, body: 'two' });
  assert.equal(fresh.status, 200);
  const notModified = await send(api.port, 'GET', '/cond/k', { headers: { 'if-none-match': fresh.headers.etag as string } });
  assert.equal(notModified.status, 304);
  assert.equal(notModified.headers.etag, md5('two'));
  assert.equal(notModified.body.length, 0);
  assert.equal((await send(api.port, 'GET', '/cond/k', { headers: { 'if-none-match': created.headers.etag as string } })).status, 200);
  assert.equal((await send(api.port, 'HEAD', '/cond/k', { headers: { 'if-none-match': '*' } })).status, 304);
  assert.equal((await send(api.port, 'GET', '/cond/k', { headers: { 'if-match': created.headers.etag as string } })).status, 412);
  assert.equal((await send(api.port, 'DELETE', '/cond/k', { headers: { 'if-match': created.headers.etag as string } })).status, 412);
  assert.equal((await send(api.port, 'GET', '/cond/k')).body.toString(), 'two');
});

test('Range: bytes=a-b and suffixes answer 206 with Content-Range; unsatisfiable is 416; several ranges get the whole object', async () => {
  await send(api.port, 'PUT', '/rng/digits', { body: '0123456789' });
  const part = await send(api.port, 'GET', '/rng/digits', { headers: { range: 'bytes=2-4' } });
  assert.equal(part.status, 206);
  assert.equal(part.body.toString(), '234');
  assert.equal(part.headers['content-range'], 'bytes 2-4/10');
  assert.equal(part.headers['content-length'], '3');
  const suffix = await send(api.port, 'GET', '/rng/digits', { headers: { range: 'bytes=-3' } });
  assert.deepEqual([suffix.status, suffix.body.toString(), suffix.headers['content-range']], [206, '789', 'bytes 7-9/10']);
  const open = await send(api.port, 'GET', '/rng/digits', { headers: { range: 'bytes=8-' } });
  assert.deepEqual([open.status, open.body.toString()], [206, '89']);
  const past = await send(api.port, 'GET', '/rng/digits', { headers: { range: 'bytes=10-' } });
  assert.equal(past.status, 416);
  assert.equal(past.headers['content-range'], 'bytes */10');
  assert.equal(past.json().error.code, 'NIMBUS_ERR_BLOB_RANGE_NOT_SATISFIABLE');
  const several = await send(api.port, 'GET', '/rng/digits', { headers: { range: 'bytes=0-1,4-5' } });
  assert.deepEqual([several.status, several.body.toString()], [200, '0123456789']);
});

test('the Range header parser accepts one bytes range and ignores everything else', () => {
  assert.deepEqual(parseRangeHeader('bytes=0-0'), { start: 0, end: 0 });
  assert.deepEqual(parseRangeHeader('bytes=5-'), { start: 5 });
  assert.deepEqual(parseRangeHeader('bytes=-5'), { suffix: 5 });
  for (const ignored of [undefined, 'bytes=-', 'bytes=5-1', 'items=0-1', 'bytes=0-1,3-4', 'bytes=a-b', 'bytes=99999999999999999999-']) {
    assert.equal(parseRangeHeader(ignored), undefined, String(ignored));
  }
});

test('bad bucket names, traversal and control characters in keys are refused with 400 naming the problem', async () => {
  const cases: [string, string][] = [
    ['/Bad_Bucket/k', 'NIMBUS_ERR_BLOB_INVALID_BUCKET_NAME'],
    ['/ok-bucket/../../etc/passwd', 'NIMBUS_ERR_BLOB_INVALID_KEY'],
    ['/ok-bucket/a/%2E%2E/b', 'NIMBUS_ERR_BLOB_INVALID_KEY'],
    ['/ok-bucket/%2Fabsolute', 'NIMBUS_ERR_BLOB_INVALID_KEY'],
    ['/ok-bucket/nul%00byte', 'NIMBUS_ERR_BLOB_INVALID_KEY'],
    ['/ok-bucket/bad%E0%A4%A', 'NIMBUS_ERR_BLOB_INVALID_KEY'],
    [`/ok-bucket/${'k'.repeat(1025)}`, 'NIMBUS_ERR_BLOB_INVALID_KEY'],
  ];
  for (const [path, code] of cases) {
    const res = await send(api.port, 'PUT', path, { body: 'x' });
    assert.equal(res.status, 400, path);
    assert.equal(res.json().error.code, code, path);
    assert.match(res.json().error.message, /bucket|key/, path);
  }
  const badLimit = await send(api.port, 'GET', '/ok-bucket?limit=lots');
  assert.deepEqual([badLimit.status, badLimit.json().error.field], [400, 'limit']);
  const method = await send(api.port, 'POST', '/ok-bucket/k');
  assert.deepEqual([method.status, method.headers.allow], [405, 'GET, HEAD, PUT, DELETE']);
});

test('listing over HTTP: prefix, delimiter and cursor pages', async () => {
  for (const key of ['logs/2024/01', 'logs/2024/02', 'logs/2025/01', 'logs/index', 'other']) await send(api.port, 'PUT', `/lst/${key}`, { body: key });
  const folders = (await send(api.port, 'GET', '/lst?prefix=logs%2F&delimiter=%2F')).json();
  assert.deepEqual(folders.commonPrefixes, ['logs/2024/', 'logs/2025/']);
  assert.deepEqual(folders.objects.map((o: { key: string }) => o.key), ['logs/index']);
  const first = (await send(api.port, 'GET', '/lst?limit=2')).json();
  assert.deepEqual(first.objects.map((o: { key: string }) => o.key), ['logs/2024/01', 'logs/2024/02']);
  const second = (await send(api.port, 'GET', `/lst?limit=2&cursor=${encodeURIComponent(first.nextCursor)}`)).json();
  assert.deepEqual(second.objects.map((o: { key: string }) => o.key), ['logs/2025/01', 'logs/index']);
  const third = (await send(api.port, 'GET', `/lst?limit=2&cursor=${encodeURIComponent(second.nextCursor)}`)).json();
  assert.deepEqual([third.objects.map((o: { key: string }) => o.key), third.nextCursor], [['other'], null]);
});

test('an upload whose declared Content-Length is over the maximum is refused before reading it', async () => {
  const res = await send(api.port, 'PUT', '/big/k', { headers: { 'content-length': 6 * 1024 ** 3 } });
  assert.equal(res.status, 413);
  assert.equal(res.json().error.code, 'NIMBUS_ERR_BLOB_TOO_LARGE');
  assert.equal(res.headers.connection, 'close');
});

test('a client that disconnects mid-upload leaves the old object, no temp file, and a working server', async () => {
  await send(api.port, 'PUT', '/abort/k', { body: 'the old bytes' });
  await new Promise<void>((resolve) => {
    const req = request({ host: '127.0.0.1', port: api.port, method: 'PUT', path: `${PREFIX}/abort/k`, headers: { 'content-length': 10 * 1024 * 1024 } });
    req.on('error', () => resolve());
    req.write(Buffer.alloc(1024 * 1024, 1), () => setImmediate(() => req.destroy()));
  });
  const tmp = join(store.dir, 'blobs', 'tmp');
  // The server notices the abort asynchronously; wait for its clean-up.
  while ((await readdir(tmp)).length > 0) await delay(10);
  const got = await send(api.port, 'GET', '/abort/k');
  assert.deepEqual([got.status, got.body.toString()], [200, 'the old bytes']);
  assert.equal((await store.index.readAfter('abort-check', 1000)).filter((e) => e.bucket === 'abort').length, 1);
});
