import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { statSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startStandInAdmin, type Answer, type RecordedRequest } from '../support/stand-in-admin.js';
import { startStandInBlobs } from '../support/stand-in-blobs.js';
import { lines, runNimbus } from '../support/run-cli.js';
import { spawnNimbus } from '../support/spawn-cli.js';
import { makeTempDir } from '../support/temp-app.js';
import { waitFor } from '../support/in-process.js';

async function setUp(t: { after(fn: () => Promise<unknown>): void }, answer: (req: RecordedRequest) => Answer) {
  const admin = await startStandInAdmin(answer);
  const cwd = await makeTempDir();
  t.after(() => Promise.all([admin.close(), cwd.remove()]));
  return { admin, cwd, env: { NIMBUS_URL: admin.url, NIMBUS_ADMIN_KEY: 'k' } };
}

const md5 = (bytes: Uint8Array): string => createHash('md5').update(bytes).digest('hex');
const FIVE_MB = 5 * 1024 * 1024;

function sizeOf(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

test('blob put and get round-trip a 5 MB file, streamed both ways', async (t) => {
  const cwd = await makeTempDir();
  const serverDir = await makeTempDir();
  const downloaded = join(cwd.path, 'copy.bin');
  let gateDownload = false;
  let fileGrewMidDownload = false;
  // The stand-in holds back the rest of a download until the CLI has written some of it to disk.
  const blobs = await startStandInBlobs(serverDir.path, async () => {
    if (!gateDownload) return;
    await waitFor('the first bytes of the download on disk', () => sizeOf(downloaded) > 0);
    fileGrewMidDownload = true;
  });
  t.after(() => Promise.all([blobs.close(), cwd.remove(), serverDir.remove()]));
  const env = { NIMBUS_URL: blobs.url, NIMBUS_ADMIN_KEY: 'k' };
  const original = randomBytes(FIVE_MB);
  await writeFile(join(cwd.path, 'photo.png'), original);

  const put = await runNimbus(['blob', 'put', 'photos/2026/a b.png', 'photo.png', '--meta', 'owner=ada', '--meta', 'Camera=x100'], { cwd: cwd.path, env });
  assert.equal(put.code, 0, put.stderr);
  assert.deepEqual(lines(put.stdout), [`Uploaded photos/2026/a b.png (${FIVE_MB} bytes, created, etag "${md5(original)}")`]);
  const stored = blobs.stored.get('/_nimbus/api/v1/blobs/photos/2026/a%20b.png');
  assert.ok(stored, `stored: ${[...blobs.stored.keys()].join(', ')}`);
  assert.equal(stored.md5, md5(original));
  assert.ok(stored.chunks > 1, 'the upload arrived in one piece: it was not streamed');
  assert.equal(stored.headers['content-length'], String(FIVE_MB));
  assert.equal(stored.headers['content-type'], 'image/png');
  assert.equal(stored.headers['authorization'], 'Bearer k');
  assert.equal(stored.headers['x-nimbus-meta-owner'], 'ada');
  assert.equal(stored.headers['x-nimbus-meta-camera'], 'x100');

  gateDownload = true;
  const get = await runNimbus(['blob', 'get', 'photos/2026/a b.png', 'copy.bin'], { cwd: cwd.path, env });
  assert.equal(get.code, 0, get.stderr);
  assert.deepEqual(lines(get.stdout), [`Downloaded photos/2026/a b.png to copy.bin (${FIVE_MB} bytes)`]);
  assert.ok(fileGrewMidDownload);
  assert.equal(md5(await readFile(downloaded)), md5(original));

  gateDownload = false;
  const toStdout = await spawnNimbus(['blob', 'get', 'photos/2026/a b.png', '-'], { cwd: cwd.path, env }).exited;
  assert.equal(toStdout.code, 0, toStdout.stderr);
  assert.equal(md5(toStdout.stdout), md5(original));
});

test('blob get of a missing object exits 1 with one line and leaves no file behind', async (t) => {
  const { cwd, env } = await setUp(t, () => ({ status: 404, body: { error: { code: 'NIMBUS_ERR_BLOB_NOT_FOUND', message: 'no such object' } } }));

  const run = await runNimbus(['blob', 'get', 'photos/ghost.png', 'ghost.png'], { cwd: cwd.path, env });

  assert.equal(run.code, 1);
  assert.deepEqual(lines(run.stderr), ['nimbus: no such object']);
  assert.equal(sizeOf(join(cwd.path, 'ghost.png')), 0);
});

test('blob ls follows every page and shows prefixes with --delimiter; --json gathers all pages', async (t) => {
  const object = (key: string) => ({ key, size: 10, etag: '"e"', contentType: 'image/png', lastModified: Date.UTC(2026, 0, 2, 3, 4, 5) });
  const { admin, cwd, env } = await setUp(t, (req) =>
    req.path.includes('cursor=c2')
      ? { status: 200, body: { objects: [object('2026/b.png')], commonPrefixes: [], nextCursor: null } }
      : { status: 200, body: { objects: [object('2026/a.png')], commonPrefixes: ['2026/raw/'], nextCursor: 'c2' } });

  const table = await runNimbus(['blob', 'ls', 'photos/2026/', '--delimiter', '/'], { cwd: cwd.path, env });
  assert.equal(table.code, 0, table.stderr);
  assert.deepEqual(admin.requests.map((r) => r.path), [
    '/_nimbus/api/v1/blobs/photos?prefix=2026%2F&delimiter=%2F',
    '/_nimbus/api/v1/blobs/photos?prefix=2026%2F&delimiter=%2F&cursor=c2',
  ]);
  assert.deepEqual(lines(table.stdout), [
    'KEY         SIZE    MODIFIED              CONTENT TYPE',
    '2026/raw/   PREFIX  -                     -',
    '2026/a.png  10      2026-01-02T03:04:05Z  image/png',
    '2026/b.png  10      2026-01-02T03:04:05Z  image/png',
  ]);

  const json = await runNimbus(['blob', 'ls', 'photos', '--json'], { cwd: cwd.path, env });
  assert.equal(admin.requests[2]!.path, '/_nimbus/api/v1/blobs/photos');
  assert.deepEqual(JSON.parse(json.stdout), { objects: [object('2026/a.png'), object('2026/b.png')], commonPrefixes: ['2026/raw/'] });
});

test('blob buckets, mb, rb and rm', async (t) => {
  const { admin, cwd, env } = await setUp(t, (req) => {
    if (req.method === 'GET') return { status: 200, body: { buckets: [{ name: 'photos', createdAt: Date.UTC(2026, 0, 2, 3, 4, 5) }] } };
    if (req.method === 'PUT') return { status: 201, body: { bucket: 'photos', created: true } };
    return { status: 204 };
  });

  const buckets = await runNimbus(['blob', 'buckets'], { cwd: cwd.path, env });
  const bucketsJson = await runNimbus(['blob', 'buckets', '--json'], { cwd: cwd.path, env });
  const mb = await runNimbus(['blob', 'mb', 'photos'], { cwd: cwd.path, env });
  const rm = await runNimbus(['blob', 'rm', 'photos/2026/a.png'], { cwd: cwd.path, env });
  const rb = await runNimbus(['blob', 'rb', 'photos'], { cwd: cwd.path, env });

  assert.deepEqual(lines(buckets.stdout), ['BUCKET  CREATED', 'photos  2026-01-02T03:04:05Z']);
  assert.deepEqual(JSON.parse(bucketsJson.stdout), { buckets: [{ name: 'photos', createdAt: Date.UTC(2026, 0, 2, 3, 4, 5) }] });
  assert.deepEqual(lines(mb.stdout), ['Created bucket photos']);
  assert.deepEqual(lines(rm.stdout), ['Removed photos/2026/a.png']);
  assert.deepEqual(lines(rb.stdout), ['Removed bucket photos']);
  assert.deepEqual(admin.requests.map((r) => [r.method, r.path]), [
    ['GET', '/_nimbus/api/v1/blobs'],
    ['GET', '/_nimbus/api/v1/blobs'],
    ['PUT', '/_nimbus/api/v1/blobs/photos'],
    ['DELETE', '/_nimbus/api/v1/blobs/photos/2026/a.png'],
    ['DELETE', '/_nimbus/api/v1/blobs/photos'],
  ]);
});

test('blob rb of a bucket that is not empty exits 1 with the server message', async (t) => {
  const { cwd, env } = await setUp(t, () => ({ status: 409, body: { error: { code: 'NIMBUS_ERR_BLOB_BUCKET_NOT_EMPTY', message: 'the bucket is not empty' } } }));

  const run = await runNimbus(['blob', 'rb', 'photos'], { cwd: cwd.path, env });

  assert.equal(run.code, 1);
  assert.deepEqual(lines(run.stderr), ['nimbus: the bucket is not empty']);
});

test('blob: bad usage exits 1 before any request', async (t) => {
  const { admin, cwd, env } = await setUp(t, () => ({ status: 200, body: {} }));

  const noKey = await runNimbus(['blob', 'put', 'photos', 'x.png'], { cwd: cwd.path, env });
  const noFile = await runNimbus(['blob', 'put', 'photos/x.png', 'missing.png'], { cwd: cwd.path, env });
  const unknown = await runNimbus(['blob', 'cp', 'a', 'b'], { cwd: cwd.path, env });

  assert.match(noKey.stderr, /^nimbus: expected BUCKET\/KEY, got "photos"/);
  assert.match(noFile.stderr, /^nimbus: cannot read .*missing\.png/);
  assert.match(unknown.stderr, /^nimbus: unknown subcommand "blob cp"/);
  for (const run of [noKey, noFile, unknown]) {
    assert.equal(run.code, 1);
    assert.equal(lines(run.stderr).length, 1);
  }
  assert.equal(admin.requests.length, 0);
});
