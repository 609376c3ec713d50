/**
 * Blob throughput: one large object uploaded and downloaded through a real
 * node's blob HTTP API (auth, SQLite index, local files: hashed, fsynced and
 * committed before the answer), against a bare `node:http` server in its own
 * process that streams the same bytes to a file and fsyncs (upload) or from
 * the file (download). Rounds alternate which server goes first; the client
 * is a process of its own. fs.copyFile of the same file is kept for context.
 */
import { randomBytes } from 'node:crypto';
import { copyFile, mkdir, open, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { BenchRow } from './section.js';
import { BlobClient, startBareBlobServer } from './blobs/children.js';
import { BENCH_ADMIN_KEY, startBenchNode } from './support/bench-node.js';
import { ownCpuMs, processCpuMs } from './support/process-cpu.js';
import { median, round } from './support/stats.js';

export const DEFAULT_BENCH_OBJECT_MB = 256;
/** Issue #14, target 6: upload and download through Nimbus at least this × the bare server, same run. */
export const TARGET_RATIO = 0.5;
const MB = 1024 * 1024;
const OBJECT_PATH = '/_nimbus/api/v1/blobs/bench/object.bin';

export interface BenchBlobsOptions {
  sizeMb?: number;
  rounds?: number;
}

interface Transfer {
  ms: number;
  cpuMs: number;
}

export async function benchBlobs(dir: string, options: BenchBlobsOptions = {}): Promise<{ rows: BenchRow[]; notes: string[] }> {
  const sizeMb = options.sizeMb ?? DEFAULT_BENCH_OBJECT_MB;
  const rounds = options.rounds ?? positive(process.env['BENCH_ROUNDS'], 2);
  const size = sizeMb * MB;
  const work = join(dir, `bench-blobs-${process.pid}`);
  const bareFolder = join(work, 'bare');
  await mkdir(bareFolder, { recursive: true });
  const source = join(work, 'source.bin');
  await writeSource(source, sizeMb);
  const client = await BlobClient.start();
  const bare = await startBareBlobServer(bareFolder);
  const node = await startBenchNode();
  const auth = { authorization: `Bearer ${BENCH_ADMIN_KEY}` };
  const mbps = (t: Transfer): number => round(sizeMb / (t.ms / 1000), 1);
  const rows: BenchRow[] = [];
  const ratios = { put: [] as number[], get: [] as number[] };
  try {
    const copyStart = performance.now();
    await copyFile(source, join(work, 'copy.bin'));
    const copyMs = performance.now() - copyStart;
    await rm(join(work, 'copy.bin'));
    rows.push({ op: 'fs.copyFile of the same file (context)', round: '', seconds: round(copyMs / 1000), mbPerSec: round(sizeMb / (copyMs / 1000), 1), serverCpuMs: '', ratioVsBare: '' });

    const bareUrl = `${bare.url}/object.bin`;
    const nimbusUrl = `${node.url}${OBJECT_PATH}`;
    const measured = (pid: number | 'self', transfer: () => Promise<number>) => async (): Promise<Transfer> => {
      const cpu = (): number => (pid === 'self' ? ownCpuMs() : processCpuMs(pid));
      const before = cpu();
      const ms = await transfer();
      return { ms, cpuMs: cpu() - before };
    };
    const barePut = measured(bare.pid, () => client.put(bareUrl, source, size));
    const nimbusPut = measured('self', () => client.put(nimbusUrl, source, size, { ...auth, 'content-type': 'application/octet-stream' }));
    const bareGet = measured(bare.pid, () => client.get(bareUrl, size));
    const nimbusGet = measured('self', () => client.get(nimbusUrl, size, auth));

    for (let r = 1; r <= rounds; r++) {
      // Alternate who goes first: the disk's writeback of the previous upload falls on each side in turn.
      const bareFirst = r % 2 === 1;
      const [bp, np] = bareFirst ? [await barePut(), await nimbusPut()] : swap(await nimbusPut(), await barePut());
      const [bg, ng] = bareFirst ? [await bareGet(), await nimbusGet()] : swap(await nimbusGet(), await bareGet());
      ratios.put.push(bp.ms / np.ms);
      ratios.get.push(bg.ms / ng.ms);
      rows.push(
        { op: 'PUT, bare node:http (stream to a file + fsync)', round: r, seconds: round(bp.ms / 1000), mbPerSec: mbps(bp), serverCpuMs: Math.round(bp.cpuMs), ratioVsBare: 1 },
        { op: 'PUT, Nimbus blob API (auth + hash + fsync + index commit)', round: r, seconds: round(np.ms / 1000), mbPerSec: mbps(np), serverCpuMs: Math.round(np.cpuMs), ratioVsBare: round(bp.ms / np.ms) },
        { op: 'GET, bare node:http (stream the file)', round: r, seconds: round(bg.ms / 1000), mbPerSec: mbps(bg), serverCpuMs: Math.round(bg.cpuMs), ratioVsBare: 1 },
        { op: 'GET, Nimbus blob API (auth + index read + stream)', round: r, seconds: round(ng.ms / 1000), mbPerSec: mbps(ng), serverCpuMs: Math.round(ng.cpuMs), ratioVsBare: round(bg.ms / ng.ms) },
      );
    }
    const verdict = (ratio: number): string => `${ratio >= TARGET_RATIO ? 'met' : 'not met'} (target ≥ ${TARGET_RATIO})`;
    const putRatio = round(median(ratios.put));
    const getRatio = round(median(ratios.get));
    rows.push(
      { op: `PUT ratio vs bare, median of ${rounds} rounds: ${verdict(putRatio)}`, round: '', seconds: '', mbPerSec: '', serverCpuMs: '', ratioVsBare: putRatio },
      { op: `GET ratio vs bare, median of ${rounds} rounds: ${verdict(getRatio)}`, round: '', seconds: '', mbPerSec: '', serverCpuMs: '', ratioVsBare: getRatio },
    );
  } finally {
    await client.close();
    await bare.close();
    await node.dispose();
    await rm(work, { recursive: true, force: true });
  }
  return {
    rows,
    notes: [
      `One ${sizeMb} MB object of random bytes, one transfer at a time, timed in a client process from the first byte sent to the answer's last byte; downloaded bytes are counted and dropped.`,
      'Nimbus is a real node in the bench process (admin key, SQLite index, local files); the bare server runs in its own process. serverCpuMs is the CPU the serving process used during the transfer.',
      `ratioVsBare = bare seconds ÷ Nimbus seconds in the same round (1 = as fast as the bare server); rounds alternate which server goes first. Target (issue #14, 6): ≥ ${TARGET_RATIO} for both.`,
    ],
  };
}

function swap<T>(a: T, b: T): [T, T] {
  return [b, a];
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

function positive(value: string | undefined, fallback: number): number {
  const n = Number(value);
  return value !== undefined && Number.isInteger(n) && n > 0 ? n : fallback;
}
