/**
 * Scale: the same node started on an empty data folder and on a loaded one
 * (many apps of HTTP and timer functions, a large queue backlog), in the
 * same run, in alternating rounds: start time, warm HTTP req/s and CPU per
 * request to one function, queue throughput on a fresh queue, and memory.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LoadClient } from '../load/load-client.js';
import type { BenchRow, BenchSection, SectionResult } from '../section.js';
import { benchConfig } from '../support/bench-config.js';
import { BENCH_ADMIN_KEY } from '../support/bench-node.js';
import { processCpuMs } from '../support/process-cpu.js';
import { median, round, sleep } from '../support/stats.js';
import { fillerPath, prepareDataFolder, PROBE_PATH, PROBE_QUEUE, type LoadShape } from './prepare-data.js';
import { startNimbusProcess, type StartedNode } from './started-node.js';

/** Issue #14, target 7: within 20 % of the empty node, read strictly both ways (a rate at least 0.8×, a time or cost at most 1.2×). */
const WITHIN = 0.2;
const QUEUE_SEND_BATCH = 500;
const QUEUE_SENDERS = 4;
const QUEUE_DRAIN_LIMIT_MS = 60_000;

export interface ScaleConfig {
  shape: LoadShape;
  rounds: number;
  loadSec: number;
  connections: number;
  queueMessages: number;
}

/** Defaults are the numbers; BENCH_SCALE_* shrink them for a quick look. */
export function scaleConfig(env: NodeJS.ProcessEnv = process.env): ScaleConfig {
  const base = benchConfig(env);
  const apps = whole(env['BENCH_SCALE_APPS'], 100);
  return {
    shape: {
      apps,
      httpPerApp: Math.max(1, Math.round(whole(env['BENCH_SCALE_FUNCTIONS'], 10_000) / apps)),
      timersPerApp: Math.round(whole(env['BENCH_SCALE_TIMERS'], 10_000) / apps),
      backlog: whole(env['BENCH_SCALE_MESSAGES'], 1_000_000),
    },
    // Starts swing by seconds when the shared machine is busy: three rounds give a median that means something.
    rounds: whole(env['BENCH_SCALE_ROUNDS'], 3) || 1,
    loadSec: whole(env['BENCH_SCALE_SECONDS'], 3),
    connections: base.connections,
    queueMessages: whole(env['BENCH_SCALE_QUEUE_MESSAGES'], 20_000),
  };
}

export const scaleSection: BenchSection = {
  name: 'scale',
  title: 'Scale: empty node vs a node holding 10,000 HTTP functions, 10,000 timers and 1,000,000 queued messages',
  run: () => benchScale(scaleConfig()),
};

interface Sample {
  startMs: number;
  timersArmedMs: number;
  startCpuMs: number;
  reqPerSec: number;
  cpuUsPerReq: number;
  queueMsgsPerSec: number;
  rssMb: number;
  heapMb: number;
}

type Case = 'empty' | 'loaded';

export async function benchScale(config: ScaleConfig): Promise<SectionResult> {
  const scratch = mkdtempSync(join(tmpdir(), 'nimbus-bench-scale-'));
  const client = await LoadClient.start();
  try {
    const dirs: Record<Case, string> = { empty: join(scratch, 'empty'), loaded: join(scratch, 'loaded') };
    await prepareDataFolder(dirs.empty, join(scratch, 'build-empty'), BENCH_ADMIN_KEY, null);
    const prepared = await prepareDataFolder(dirs.loaded, join(scratch, 'build-loaded'), BENCH_ADMIN_KEY, config.shape);
    const samples: Record<Case, Sample[]> = { empty: [], loaded: [] };
    for (let round = 0; round < config.rounds; round++) {
      const order: Case[] = round % 2 === 0 ? ['empty', 'loaded'] : ['loaded', 'empty'];
      for (const which of order) samples[which].push(await measureNode(dirs[which], which === 'loaded' ? fillerPath(config.shape) : null, client, config));
    }
    return report(samples, config, prepared);
  } finally {
    await client.close();
    rmSync(scratch, { recursive: true, force: true });
  }
}

async function measureNode(dataDir: string, fillerRoute: string | null, client: LoadClient, config: ScaleConfig): Promise<Sample> {
  const node = await startNimbusProcess(dataDir, BENCH_ADMIN_KEY, PROBE_PATH);
  try {
    if (fillerRoute) {
      const answer = await fetch(`${node.url}${fillerRoute}`);
      if (answer.status !== 200) throw new Error(`${fillerRoute} answered ${answer.status} right after the start`);
      await answer.arrayBuffer();
    }
    const probe = `${node.url}${PROBE_PATH}`;
    await client.load(probe, config.connections, 1);
    const cpuBefore = processCpuMs(node.pid);
    const load = await client.load(probe, config.connections, config.loadSec);
    const cpuMs = processCpuMs(node.pid) - cpuBefore;
    if (load.non2xx + load.errors > 0) throw new Error(`${load.non2xx} non-2xx answers and ${load.errors} errors under load`);
    const queueMsgsPerSec = await queueThroughput(node, config.queueMessages);
    const memory = await node.memory();
    return {
      startMs: node.startMs,
      timersArmedMs: node.timersArmedMs,
      startCpuMs: node.startCpuMs,
      reqPerSec: load.requestsPerSec,
      cpuUsPerReq: load.completed > 0 ? (cpuMs * 1000) / load.completed : Number.NaN,
      queueMsgsPerSec,
      rssMb: memory.rssBytes / 1_048_576,
      heapMb: memory.heapUsedBytes / 1_048_576,
    };
  } finally {
    await node.stop();
  }
}

/** Messages sent to the probe queue (durable) until its consumer has handled and deleted every one. */
async function queueThroughput(node: StartedNode, messages: number): Promise<number> {
  const api = `${node.url}/_nimbus/api/v1/queues/${PROBE_QUEUE}/messages`;
  const headers = { authorization: `Bearer ${BENCH_ADMIN_KEY}`, 'content-type': 'application/json' };
  const started = performance.now();
  let next = 0;
  await Promise.all(Array.from({ length: QUEUE_SENDERS }, async () => {
    while (next < messages) {
      const count = Math.min(QUEUE_SEND_BATCH, messages - next);
      next += count;
      const body = JSON.stringify({ messages: Array.from({ length: count }, (_, n) => ({ body: { n } })) });
      const answer = await fetch(api, { method: 'POST', headers, body });
      if (answer.status >= 300) throw new Error(`sending to ${PROBE_QUEUE} answered ${answer.status}: ${await answer.text()}`);
      await answer.arrayBuffer();
    }
  }));
  // Peeking one message of this queue reads its index alone: polling it does not weigh on the node the way listing every queue would.
  const deadline = Date.now() + QUEUE_DRAIN_LIMIT_MS;
  for (;;) {
    const answer = await fetch(`${api}?limit=1`, { headers });
    const body = (await answer.json()) as { messages?: unknown[] };
    if (answer.status === 200 && body.messages?.length === 0) break;
    if (Date.now() > deadline) throw new Error(`${PROBE_QUEUE} did not drain within ${QUEUE_DRAIN_LIMIT_MS} ms`);
    await sleep(10);
  }
  return messages / ((performance.now() - started) / 1000);
}

function report(samples: Record<'empty' | 'loaded', Sample[]>, config: ScaleConfig, prepared: { deployMs: number; storeMs: number; firstStartMs: number }): SectionResult {
  const { shape } = config;
  const functions = shape.apps * (shape.httpPerApp + shape.timersPerApp);
  const row = (measure: string, pick: (s: Sample) => number, digits: number, higherIsBetter: boolean | null): BenchRow => {
    const empty = median(samples.empty.map(pick));
    const loaded = median(samples.loaded.map(pick));
    const ratio = loaded / empty;
    const each = (list: Sample[]) => list.map((s) => round(pick(s), digits)).join(' / ');
    return {
      measure,
      'empty node (rounds)': each(samples.empty),
      'loaded node (rounds)': each(samples.loaded),
      'loaded ÷ empty (medians)': round(ratio, 3),
      target: higherIsBetter === null ? 'reported' : higherIsBetter ? `≥ ${round(1 - WITHIN, 2)}` : `≤ ${round(1 + WITHIN, 2)}`,
      met: higherIsBetter === null ? '' : (higherIsBetter ? ratio >= 1 - WITHIN : ratio <= 1 + WITHIN) ? 'yes' : 'no',
    };
  };
  const heapPerFunctionKb = ((median(samples.loaded.map((s) => s.heapMb)) - median(samples.empty.map((s) => s.heapMb))) * 1024) / functions;
  return {
    rows: [
      row('node start: fork of `nimbus start` → first answer (ms)', (s) => s.startMs, 0, false),
      row('node start: fork → every timer armed (ms)', (s) => s.timersArmedMs, 0, false),
      row('node start: CPU used by the node process until its first answer (ms)', (s) => s.startCpuMs, 0, false),
      row('warm HTTP to one function (req/s)', (s) => s.reqPerSec, 0, true),
      row('node CPU per request (µs)', (s) => s.cpuUsPerReq, 1, false),
      row(`queue end to end, fresh queue, ${config.queueMessages} messages, batch 100 (msgs/s)`, (s) => s.queueMsgsPerSec, 0, true),
      row('node RSS after the runs (MiB)', (s) => s.rssMb, 1, null),
      row('node heap used after GC (MiB)', (s) => s.heapMb, 1, null),
    ],
    notes: [
      `Loaded: ${shape.apps} apps × (${shape.httpPerApp} HTTP functions with routes + ${shape.timersPerApp} timers) = ${functions} functions, ${shape.apps * shape.timersPerApp} timers (none due during the bench), ${shape.backlog} messages waiting in a queue no function consumes. Empty: the probe app alone. Both hold the probe app (one HTTP function, one queue consumer).`,
      `Heap per deployed function: about ${round(heapPerFunctionKb, 2)} KiB (loaded − empty heap after GC ÷ ${functions}).`,
      `Preparing the loaded folder (not measured above): the probe and one load app deployed through the admin API in ${round(prepared.deployMs / 1000, 1)} s; the other ${shape.apps - 1} apps (copies of it with their own routes and times) and the backlog written through the store API in ${round(prepared.storeMs / 1000, 1)} s; a first start (registering every timer) ${round(prepared.firstStartMs / 1000, 1)} s.`,
      `Each round starts a real \`nimbus start\` process on each folder (order alternates), loads ${PROBE_PATH} with ${config.connections} connections for ${config.loadSec} s after 1 s of warm-up, then sends ${config.queueMessages} messages to a fresh queue and waits until its consumer has deleted them all.`,
      `Target (issue #14, 7): start time, HTTP req/s and queue msgs/s within 20 % of the empty node's. Knobs: BENCH_SCALE_APPS, BENCH_SCALE_FUNCTIONS, BENCH_SCALE_TIMERS, BENCH_SCALE_MESSAGES, BENCH_SCALE_QUEUE_MESSAGES, BENCH_SCALE_SECONDS, BENCH_SCALE_ROUNDS (default 3).`,
    ],
  };
}

function whole(value: string | undefined, fallback: number): number {
  const n = Number(value);
  return value !== undefined && Number.isInteger(n) && n >= 0 ? n : fallback;
}
