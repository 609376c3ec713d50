/**
 * The queues section again on a disk whose fsync takes 2 ms, the speed of
 * network block storage, where this machine's takes ~0.2 ms: a library
 * preloaded into the process makes every fsync wait first (slow-fsync.c).
 * Nimbus's sends are answered after an fsync; BullMQ's Redis (AOF everysec)
 * fsyncs once a second in a thread of its own, and runs on the same slowed disk.
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { BenchSection, SectionResult } from '../section.js';
import { buildSlowFsync } from '../support/slow-fsync.js';

const SECTION_PROCESS = fileURLToPath(new URL('./queue-section-process.js', import.meta.url));
const FSYNC_US = 2_000;

export const queueSlowDiskSection: BenchSection = {
  name: 'queues-slow-disk',
  title: `Queues end to end beside BullMQ on a disk whose fsync takes ${FSYNC_US / 1000} ms (network block storage), fsync slowed by a preloaded library`,
  run: benchQueuesOnSlowDisk,
};

async function benchQueuesOnSlowDisk(): Promise<SectionResult> {
  const shim = await buildSlowFsync();
  if ('skipped' in shim) return { rows: [], notes: [`Skipped: ${shim.skipped}.`] };
  const child = fork(SECTION_PROCESS, [], {
    env: { ...process.env, LD_PRELOAD: shim.library, SLOW_FSYNC_US: String(FSYNC_US) },
    execArgv: process.execArgv,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const result = await new Promise<SectionResult>((resolve, reject) => {
    child.once('message', (message) => resolve(message as SectionResult));
    child.once('exit', (code) => reject(new Error(`the queues section exited (code ${code}) before it reported`)));
  });
  return {
    rows: result.rows,
    notes: [
      `Every fsync and fdatasync of the bench process (the node's SQLite and libuv's fsync alike), of Redis and of BullMQ's worker first sleeps ${FSYNC_US} µs (LD_PRELOAD of bench/support/slow-fsync.c, built with cc at the start of the section). The rest as in the queues section:`,
      ...(result.notes ?? []),
    ],
  };
}
