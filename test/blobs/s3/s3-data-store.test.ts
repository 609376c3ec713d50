import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { DeleteObjectCommand } from '@aws-sdk/client-s3';
import { NimbusError } from '../../../src/shared/errors.js';
import { parseBlobsSetting, type S3BlobsConfig } from '../../../src/blobs/s3/s3-blobs-url.js';
import { openBlobBackend, openBlobDataStore } from '../../../src/blobs/open-blob-storage.js';
import { SqliteBlobIndex } from '../../../src/blobs/local/sqlite-blob-index.js';
import { openDatabase } from '../../../src/store/sqlite/sqlite-database.js';
import { systemClock } from '../../../src/shared/clock.js';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeClock } from '../../helpers/fake-clock.js';
import { startS3Server } from '../../helpers/s3-server.js';
import { openS3Backend, useSharedS3Server } from './temp-s3-backend.js';

const s3 = useSharedS3Server();
const MB = 1024 * 1024;
const body = (s: string): Readable => Readable.from([Buffer.from(s)]);

/** `size` deterministic bytes in 64 KiB chunks, made as they are read: never the whole object in memory. */
function generated(size: number): Readable {
  let sent = 0;
  return new Readable({
    read() {
      if (sent >= size) return void this.push(null);
      const n = Math.min(64 * 1024, size - sent);
      const chunk = Buffer.alloc(n);
      for (let i = 0; i < n; i += 4) chunk.writeUInt32BE((sent + i) >>> 0, i);
      sent += n;
      this.push(chunk);
    },
  });
}

async function md5Of(stream: Readable): Promise<{ etag: string; size: number; largestChunk: number }> {
  const hash = createHash('md5');
  let size = 0;
  let largestChunk = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    hash.update(chunk);
    size += chunk.length;
    largestChunk = Math.max(largestChunk, chunk.length);
  }
  return { etag: `"${hash.digest('hex')}"`, size, largestChunk };
}

test('a 20 MB object goes up as a multipart upload of 5 MB parts and comes back streamed, whole and in ranges', async () => {
  const t = await openS3Backend(await s3(), { query: 'partSizeMb=5&queueSize=2' });
  const commands: string[] = [];
  t.dataLocation.client.middlewareStack.add((next, context) => (args) => {
    commands.push(String(context.commandName));
    return next(args);
  }, { step: 'initialize', name: 'countCommands' });
  try {
    const size = 20 * MB + 12344;
    const expected = await md5Of(generated(size));
    const put = await t.backend.putObject('big', 'file.bin', generated(size));
    assert.deepEqual({ etag: put.etag, size: put.size }, { etag: expected.etag, size });
    assert.equal(commands.filter((c) => c === 'UploadPartCommand').length, 5, '4 full parts and a short last one');
    assert.ok(commands.includes('CompleteMultipartUploadCommand'));
    assert.ok(!commands.includes('PutObjectCommand'));

    const whole = await md5Of((await t.backend.getObject('big', 'file.bin')).body);
    assert.deepEqual({ etag: whole.etag, size: whole.size }, { etag: expected.etag, size });
    assert.ok(whole.largestChunk < 5 * MB, `streamed in chunks, not one buffer (largest ${whole.largestChunk})`);

    // A range across the first part boundary.
    const range = await t.backend.getObject('big', 'file.bin', { range: { start: 5 * MB - 8, end: 5 * MB + 7 } });
    const bytes = Buffer.from(await range.body.toArray().then((c) => Buffer.concat(c as Buffer[])));
    assert.equal(bytes.length, 16);
    assert.equal(bytes.readUInt32BE(0), 5 * MB - 8);
    assert.equal(bytes.readUInt32BE(8), 5 * MB);
  } finally {
    await t.dispose();
  }
});

test('an upload over the configured maximum is refused and leaves no data object', async () => {
  const t = await openS3Backend(await s3(), { query: 'partSizeMb=5', backend: { maxObjectBytes: 6 * MB } });
  try {
    await assert.rejects(t.backend.putObject('big', 'too-big', generated(7 * MB)), { code: 'NIMBUS_ERR_BLOB_TOO_LARGE' });
    await t.backend.putObject('big', 'fits', body('x'.repeat(10)));
    assert.equal((await t.dataKeys()).length, 1, 'only the object that fits');
  } finally {
    await t.dispose();
  }
});

test('a body that fails mid-upload leaves the old object and no new data behind', async () => {
  const t = await openS3Backend(await s3(), { query: 'partSizeMb=5' });
  try {
    await t.backend.putObject('files', 'k', body('kept'));
    const failing = new Readable({ read() {} });
    failing.push(Buffer.alloc(6 * MB, 1));
    setImmediate(() => failing.destroy(new Error('client went away')));
    await assert.rejects(t.backend.putObject('files', 'k', failing), /client went away/);
    assert.equal(await text((await t.backend.getObject('files', 'k')).body), 'kept');
    assert.equal((await t.dataKeys()).length, 1);
  } finally {
    await t.dispose();
  }
});

test('a write that loses its condition at commit removes the bytes it uploaded', async () => {
  const t = await openS3Backend(await s3());
  try {
    const results = await Promise.allSettled([0, 1, 2].map((i) => t.backend.putObject('cond', 'once', body(`v${i}`), { ifNoneMatch: '*' })));
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
    assert.equal((await t.dataKeys()).length, 1, 'the losers\' data objects are gone');
  } finally {
    await t.dispose();
  }
});

test('the orphan sweep removes uncommitted data only once it is older than the grace period', async () => {
  const clock = new FakeClock(Date.now());
  const t = await openS3Backend(await s3(), { query: 'sweepGraceMinutes=30', backend: { clock } });
  try {
    await t.backend.putObject('files', 'live', body('committed'));
    // What a node killed between upload and commit leaves: a complete data object no key points at.
    await t.data.write('0123456789abcdef0123456789abcdef', body('never committed'), 1000);
    assert.equal((await t.dataKeys()).length, 2);
    assert.equal(await t.backend.sweepOrphans(), 0, 'too young: it may be another node\'s upload about to commit');
    await clock.advance(31 * 60_000);
    assert.equal(await t.backend.sweepOrphans(), 1);
    assert.deepEqual(await t.dataKeys(), [`${t.config.prefix}data/${(await t.index.getObject('files', 'live'))!.dataId}`]);
    assert.equal(await text((await t.backend.getObject('files', 'live')).body), 'committed');
  } finally {
    await t.dispose();
  }
});

test('a data object missing for an indexed key is a clear error, not a hang or an empty body', async () => {
  const t = await openS3Backend(await s3());
  try {
    await t.backend.putObject('files', 'k', body('bytes'));
    const { dataId } = (await t.index.getObject('files', 'k'))!;
    await t.location.client.send(new DeleteObjectCommand({ Bucket: t.config.bucket, Key: `${t.config.prefix}data/${dataId}` }));
    await assert.rejects(t.backend.getObject('files', 'k'), (err: unknown) => {
      assert.ok(err instanceof NimbusError);
      assert.equal(err.code, 'NIMBUS_ERR_BLOB_DATA_MISSING');
      assert.match(err.message, /files\/k/);
      return true;
    });
  } finally {
    await t.dispose();
  }
});

test('S3 unreachable: writes and reads of bytes answer 503 with Retry-After; metadata still answers; all resumes', async () => {
  const server = await startS3Server();
  const t = await openS3Backend(server);
  try {
    await t.backend.putObject('files', 'k', body('before'));
    await server.stop();
    const unavailable = (err: unknown): boolean => {
      assert.ok(err instanceof NimbusError, String(err));
      assert.deepEqual([err.code, err.status, err.details?.['area'], err.details?.['reason']], ['NIMBUS_ERR_STORE_UNAVAILABLE', 503, 'blobs', 'unreachable']);
      assert.ok((err.retryAfterSeconds ?? 0) > 0);
      return true;
    };
    await assert.rejects(t.backend.putObject('files', 'k', body('during')), unavailable);
    await assert.rejects(t.backend.getObject('files', 'k'), unavailable);
    assert.equal((await t.backend.headObject('files', 'k')).size, 6, 'the index is not on S3');
    await server.start();
    await t.backend.putObject('files', 'k', body('after'));
    assert.equal(await text((await t.backend.getObject('files', 'k')).body), 'after');
  } finally {
    await t.dispose();
    await server.remove();
  }
});

test('S3 throttling (503 SlowDown) is a storage fault too', async () => {
  let requests = 0;
  const slow = createServer((_req, res) => {
    requests++;
    res.writeHead(503, { 'content-type': 'application/xml' });
    res.end('<?xml version="1.0" encoding="UTF-8"?><Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>');
  });
  await new Promise<void>((resolve) => slow.listen(0, '127.0.0.1', resolve));
  const { S3DataStore } = await import('../../../src/blobs/s3/s3-data-store.js');
  const { createS3Location } = await import('../../../src/blobs/s3/s3-client.js');
  const config = parseBlobsSetting(`s3://slow?endpoint=http://127.0.0.1:${(slow.address() as AddressInfo).port}&region=us-east-1`) as S3BlobsConfig;
  const location = createS3Location(config);
  try {
    const data = new S3DataStore({ location, partSizeBytes: config.partSizeBytes, queueSize: 1 });
    await assert.rejects(data.read('0123456789abcdef0123456789abcdef'), { code: 'NIMBUS_ERR_STORE_UNAVAILABLE', status: 503 });
    assert.ok(requests >= 1);
  } finally {
    location.client.destroy();
    slow.closeAllConnections();
    await new Promise((resolve) => slow.close(resolve));
  }
});

test('opening S3 blob storage checks the bucket: a missing bucket or a store that does not answer stops the start with one clear line', async () => {
  const server = await s3();
  const missing = parseBlobsSetting(`s3://no-such-bucket?endpoint=${server.endpoint}&region=us-east-1`);
  await assert.rejects(openBlobDataStore(missing, { dataDir: '/nonexistent' }), /cannot use the S3 bucket "no-such-bucket" at .*: no such bucket/);
  const down = parseBlobsSetting('s3://nimbus-test?endpoint=http://127.0.0.1:9&region=us-east-1');
  await assert.rejects(openBlobDataStore(down, { dataDir: '/nonexistent' }), /cannot use the S3 bucket "nimbus-test" at .*ECONNREFUSED/);
  const { data } = await openBlobDataStore(server.config(), { dataDir: '/nonexistent' });
  await data.close();
});

test('openBlobBackend picks the data store the setting names: local files by default, else the S3 bucket', async () => {
  const server = await s3();
  const dataDir = await mkdtemp(join(tmpdir(), 'nimbus-open-'));
  const db = openDatabase(join(dataDir, 'state.db'));
  try {
    const index = new SqliteBlobIndex(db, systemClock);
    const local = await openBlobBackend(parseBlobsSetting(undefined), { dataDir, index });
    await local.putObject('files', 'here', body('on disk'));
    await local.close();
    const config = server.config('opened');
    const remote = await openBlobBackend(config, { dataDir, index, onSweepError: (err) => assert.fail(String(err)) });
    await remote.putObject('files', 'there', body('in s3'));
    assert.equal(await text((await remote.getObject('files', 'there')).body), 'in s3');
    await remote.close();
  } finally {
    db.close();
    await rm(dataDir, { recursive: true, force: true });
  }
});

test('the sweep also runs periodically, every period past the grace', async () => {
  const clock = new FakeClock(Date.now());
  const t = await openS3Backend(await s3(), { backend: { clock, sweep: { graceMs: 60_000, everyMs: 60_000 } } });
  try {
    await t.data.write('fedcba9876543210fedcba9876543210', body('never committed'), 1000);
    // The next sweep is armed when the last one finishes, which on a loaded machine may be after a single
    // advance has passed: keep moving the clock a period at a time until a sweep past the grace has run.
    const deadline = Date.now() + 30_000;
    while ((await t.dataKeys()).length > 0) {
      assert.ok(Date.now() < deadline, 'the periodic sweep did not remove the orphan within 30 s');
      await clock.advance(60_000);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  } finally {
    await t.dispose();
  }
});
