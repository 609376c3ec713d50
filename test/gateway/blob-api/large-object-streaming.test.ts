import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { request } from 'node:http';
import { Readable } from 'node:stream';
import { openLocalBackend } from '../../blobs/local/temp-local-backend.js';
import { PREFIX, startBlobApiServer } from './blob-api-server.js';

const OBJECT_BYTES = 200 * 1024 * 1024;
const CHUNK_BYTES = 64 * 1024;
/** Client, server and backend share this process: all three together must stay well under the object's size. */
const MAX_RSS_GROWTH_BYTES = 100 * 1024 * 1024;

/** 200 MB generated chunk by chunk (never held whole), hashed as it goes. */
function generatedBody(hash: ReturnType<typeof createHash>): Readable {
  let sent = 0;
  return new Readable({
    read() {
      if (sent === OBJECT_BYTES) return void this.push(null);
      const chunk = Buffer.alloc(CHUNK_BYTES, sent / CHUNK_BYTES);
      chunk.writeUInt32BE(sent / CHUNK_BYTES);
      hash.update(chunk);
      sent += CHUNK_BYTES;
      this.push(chunk);
    },
  });
}

function sampleRss(): { stop(): number } {
  const baseline = process.memoryUsage().rss;
  let peak = baseline;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 10);
  return {
    stop: () => {
      clearInterval(timer);
      return Math.max(peak, process.memoryUsage().rss) - baseline;
    },
  };
}

test('a 200 MB object streams up and down through the HTTP API with bounded memory', async () => {
  const store = await openLocalBackend();
  const api = await startBlobApiServer(store.backend);
  try {
    const sentHash = createHash('md5');
    const uploadRss = sampleRss();
    const put = await new Promise<{ status: number; etag: string | undefined }>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: api.port, method: 'PUT', path: `${PREFIX}/big/movie.bin`, headers: { 'content-length': OBJECT_BYTES } }, (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0, etag: res.headers.etag }));
      });
      req.on('error', reject);
      generatedBody(sentHash).pipe(req);
    });
    const uploadGrowth = uploadRss.stop();
    const expectedEtag = `"${sentHash.digest('hex')}"`;
    assert.equal(put.status, 201);
    assert.equal(put.etag, expectedEtag);
    assert.ok(uploadGrowth < MAX_RSS_GROWTH_BYTES, `RSS grew ${(uploadGrowth / 2 ** 20).toFixed(1)} MB during the upload`);

    const downloadRss = sampleRss();
    const got = await new Promise<{ status: number; size: number; md5: string }>((resolve, reject) => {
      request({ host: '127.0.0.1', port: api.port, method: 'GET', path: `${PREFIX}/big/movie.bin` }, (res) => {
        const hash = createHash('md5');
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          hash.update(c);
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, size, md5: `"${hash.digest('hex')}"` }));
        res.on('error', reject);
      }).on('error', reject).end();
    });
    const downloadGrowth = downloadRss.stop();
    assert.deepEqual(got, { status: 200, size: OBJECT_BYTES, md5: expectedEtag });
    assert.ok(downloadGrowth < MAX_RSS_GROWTH_BYTES, `RSS grew ${(downloadGrowth / 2 ** 20).toFixed(1)} MB during the download`);

    const tail = await store.backend.getObject('big', 'movie.bin', { range: { suffix: CHUNK_BYTES } });
    const lastChunk = Buffer.concat(await tail.body.toArray());
    assert.equal(lastChunk.readUInt32BE(0), OBJECT_BYTES / CHUNK_BYTES - 1, 'a range deep in the object reads the right bytes');
  } finally {
    await api.close();
    await store.dispose();
  }
});
