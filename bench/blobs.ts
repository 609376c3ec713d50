/**
 * Blob throughput: a large object uploaded and downloaded through the blob
 * HTTP API (real node:http server on 127.0.0.1, local-files backend, SQLite
 * index), against fs.copyFile of the same file on the same disk, same run.
 */
import { openDatabase } from '../src/store/sqlite/sqlite-database.js';
import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { copyFile, mkdir, open, rm } from 'node:fs/promises';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { LocalBlobBackend } from '../src/blobs/local/local-blob-backend.js';
import { SqliteBlobIndex } from '../src/blobs/local/sqlite-blob-index.js';
import { handleBlobRequest } from '../src/gateway/blob-api/handle-blob-request.js';
import { systemClock } from '../src/shared/clock.js';

export const DEFAULT_BENCH_OBJECT_MB = 256;
const MB = 1024 * 1024;
const PREFIX = '/_nimbus/api/v1/blobs';

export interface BenchBlobsOptions {
  sizeMb?: number;
}

export async function benchBlobs(dir: string, options: BenchBlobsOptions = {}): Promise<{ rows: Record<string, string | number>[] }> {
  const sizeMb = options.sizeMb ?? DEFAULT_BENCH_OBJECT_MB;
  const work = join(dir, `bench-blobs-${process.pid}`);
  await mkdir(work, { recursive: true });
  const source = join(work, 'source.bin');
  const db = openDatabase(join(work, 'state.db'));
  db.pragma('journal_mode = WAL');
  const backend = await LocalBlobBackend.open({ root: join(work, 'blobs'), index: new SqliteBlobIndex(db, systemClock) });
  const server = createServer((req, res) => void handleBlobRequest(req, res, (req.url ?? '').slice(PREFIX.length), backend));
  try {
    await writeSource(source, sizeMb);
    server.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    const { port } = server.address() as AddressInfo;

    const copySeconds = await timed(() => copyFile(source, join(work, 'copy.bin')));
    const uploadSeconds = await timed(() => upload(port, source, sizeMb * MB));
    const downloadSeconds = await timed(() => download(port, join(work, 'download.bin')));

    const mbps = (s: number): number => round(sizeMb / s);
    return {
      rows: [
        { op: 'fs.copyFile (baseline)', mb: sizeMb, seconds: round(copySeconds), mbPerSec: mbps(copySeconds), ratioToCopy: 1 },
        { op: 'PUT via blob API (hash + fsync + commit)', mb: sizeMb, seconds: round(uploadSeconds), mbPerSec: mbps(uploadSeconds), ratioToCopy: round(copySeconds / uploadSeconds) },
        { op: 'GET via blob API (to a file)', mb: sizeMb, seconds: round(downloadSeconds), mbPerSec: mbps(downloadSeconds), ratioToCopy: round(copySeconds / downloadSeconds) },
      ],
    };
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    db.close();
    await rm(work, { recursive: true, force: true });
  }
}

/** Incompressible bytes, written a megabyte at a time so the source never sits in memory. */
async function writeSource(path: string, sizeMb: number): Promise<void> {
  const block = randomBytes(MB);
  const handle = await open(path, 'w');
  try {
    for (let i = 0; i < sizeMb; i++) {
      block.writeUInt32BE(i);
      await handle.write(block);
    }
    await handle.sync();
  } finally {
    await handle.close();
  }
}

function upload(port: number, source: string, size: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method: 'PUT', path: `${PREFIX}/bench/object.bin`, headers: { 'content-length': size } }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode === 201 || res.statusCode === 200 ? resolve() : reject(new Error(`PUT answered ${res.statusCode}`))));
    });
    req.on('error', reject);
    pipeline(createReadStream(source), req).catch(reject);
  });
}

function download(port: number, target: string): Promise<void> {
  return new Promise((resolve, reject) => {
    request({ host: '127.0.0.1', port, method: 'GET', path: `${PREFIX}/bench/object.bin` }, (res) => {
      if (res.statusCode !== 200) return reject(new Error(`GET answered ${res.statusCode}`));
      pipeline(res, createWriteStream(target)).then(resolve, reject);
    }).on('error', reject).end();
  });
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await fn();
  return (performance.now() - start) / 1000;
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}
