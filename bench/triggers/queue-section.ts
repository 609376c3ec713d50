/**
 * Queues end to end: messages sent over HTTP (durable before acknowledged),
 * run by a queue function, deleted after it succeeded; throughput from the
 * first send to an empty queue, and send → handler-start latency. Batch size 1
 * runs beside BullMQ on Redis (the same messages, 50 jobs at once), rounds
 * alternating which goes first.
 */
import { NimbusClient } from '../../src/sdk/client/index.js';
import { admin } from '../../test/helpers/admin-client.js';
import type { BenchRow, BenchSection, SectionResult } from '../section.js';
import { benchConfig } from '../support/bench-config.js';
import { childrenCpuMs } from '../support/process-cpu.js';
import { median, quantile, round, sleep } from '../support/stats.js';
import { bullMqThroughput, timedRun, type BaselineRunResult, type QueueRunOptions, type QueueRunResult } from './bullmq-baseline.js';
import { PRECISE_NOW, startTriggerBenchNode } from './trigger-node.js';

/** Handlers at once: BullMQ's worker concurrency and Nimbus's maxConcurrency alike. */
const CONCURRENCY = 50;

interface QueueCase {
  batchSize: number;
  messages: number;
  warmupMessages: number;
  /** The function's settings: what a user would pick for throughput. */
  settings: string;
  baseline: boolean;
}

const CASES: readonly QueueCase[] = [
  { batchSize: 1, messages: 10_000, warmupMessages: 5_000, settings: `maxConcurrency: ${CONCURRENCY}, concurrency: ${CONCURRENCY}, maxInstances: 1`, baseline: true },
  { batchSize: 100, messages: 40_000, warmupMessages: 10_000, settings: 'maxConcurrency: 8, concurrency: 8, maxInstances: 1', baseline: false },
];
const SEND_BATCH = 500;
const SENDERS = 4;
/** Every n-th message carries its send time, so latency is sampled without logging every message. */
const SAMPLE_EVERY = 50;
const DRAIN_TIMEOUT_MS = 120_000;
const IDLE_SAMPLES = 40;
const IDLE_GAP_MS = 40;
const BATCHED_TARGET = 20_000;

const app = (c: QueueCase) => `
import { queue } from 'nimbus-functions';
export const work = queue({ queue: 'bench', batchSize: ${c.batchSize}, maxBatchWaitMs: 20, ${c.settings} }, async (batch) => {
  const now = ${PRECISE_NOW};
  for (const m of batch.messages) if (m.body.sentAt) console.log('mark ' + JSON.stringify(now - m.body.sentAt));
});
`;

const body = (n: number) => (n % SAMPLE_EVERY === 0 ? { n, sentAt: performance.timeOrigin + performance.now() } : { n });

export const queueSection: BenchSection = {
  name: 'queues',
  title: 'Queues end to end (send → handled → deleted, durable) beside BullMQ on Redis, and send → handler-start latency',
  run: benchQueues,
};

interface NimbusRun extends QueueRunResult {
  /** The warm-up pass's end-to-end rate: a fresh node and instance. */
  coldEndToEndPerSecond: number;
  latencies: number[];
  idle: number[];
}

/** The columns every system's row has, as medians over its rounds; `rest` adds the system's own cells. */
function throughputRow(system: string, c: (typeof CASES)[number], runs: readonly BaselineRunResult[], rest: BenchRow): BenchRow {
  return {
    system,
    'batch size': c.batchSize,
    messages: c.messages,
    'sent msgs/s': Math.round(median(runs.map((r) => r.sentPerSecond))),
    'end-to-end msgs/s': Math.round(median(runs.map((r) => r.endToEndPerSecond))),
    'CPU µs/msg': Math.round(median(runs.map((r) => r.cpuMicrosPerMessage))),
    'first pass msgs/s (cold)': Math.round(median(runs.map((r) => r.coldEndToEndPerSecond))),
    ...rest,
  };
}

export async function benchQueues(): Promise<SectionResult> {
  const { rounds } = benchConfig();
  const rows: BenchRow[] = [];
  const notes: string[] = [];
  for (const c of CASES) {
    const run: QueueRunOptions = { messages: c.messages, warmupMessages: c.warmupMessages, sendBatch: SEND_BATCH, senders: SENDERS, drainTimeoutMs: DRAIN_TIMEOUT_MS, body };
    const nimbus: NimbusRun[] = [];
    const bull: BaselineRunResult[] = [];
    let skipped: string | undefined;
    for (let r = 0; r < (c.baseline ? rounds : 1); r++) {
      // Alternate who goes first: a machine shared with other work drifts.
      const order = r % 2 === 0 ? ['bullmq', 'nimbus'] : ['nimbus', 'bullmq'];
      for (const who of order) {
        if (who === 'nimbus') nimbus.push(await nimbusThroughput(c, run));
        else if (c.baseline && skipped === undefined) {
          // A baseline that cannot run (missing package, Redis refusing to start) leaves Nimbus's row standing.
          const result = await bullMqThroughput({ ...run, concurrency: CONCURRENCY })
            .catch((error: unknown) => ({ skipped: `BullMQ failed: ${error instanceof Error ? error.message : String(error)}` }));
          if ('skipped' in result) skipped = result.skipped;
          else bull.push(result);
        }
      }
    }
    const e2e = median(nimbus.map((n) => n.endToEndPerSecond));
    const row = throughputRow('Nimbus', c, nimbus, {
      'latency under backlog p50 / p99 ms': latencyCell(nimbus.flatMap((n) => n.latencies)),
      'latency, one at a time p50 / p99 ms': latencyCell(nimbus.flatMap((n) => n.idle)),
      target: c.baseline ? '≥ 1× BullMQ' : `≥ ${BATCHED_TARGET} msgs/s: ${round(e2e / BATCHED_TARGET, 2)}×`,
    });
    rows.push(row);
    if (!c.baseline) continue;
    if (skipped !== undefined || bull.length === 0) {
      row.target = `≥ 1× BullMQ: skipped (${skipped ?? 'no baseline'})`;
      notes.push(`BullMQ baseline skipped: ${skipped}. It needs \`apt-get install redis-server\` and \`npm i -D bullmq ioredis\`.`);
      continue;
    }
    const ratios = nimbus.map((n, i) => n.endToEndPerSecond / bull[i]!.endToEndPerSecond);
    row.target = `≥ 1× BullMQ: ${round(median(ratios), 2)}× (rounds ${ratios.map((x) => round(x, 2)).join(', ')})`;
    rows.push(throughputRow('BullMQ + Redis', c, bull, {
      'latency under backlog p50 / p99 ms': '—',
      'latency, one at a time p50 / p99 ms': '—',
      target: 'baseline',
    }));
  }
  return {
    rows,
    notes: [
      `${SENDERS} concurrent senders, ${SEND_BATCH} messages per send (HTTP for Nimbus, \`addBulk\` for BullMQ), the same JSON bodies. A Nimbus send is answered only after its transaction is on disk (group commit, fsync); a BullMQ add once Redis has it in memory (AOF \`appendfsync everysec\`: up to a second of adds lost in a power cut).`,
      `end-to-end msgs/s: from the first send until the queue is empty (every message handled and deleted; BullMQ: \`removeOnComplete\`), polled every 20 ms (Nimbus: a peek of one message; BullMQ: its job counts), after the same number of warm-up messages (${CASES.map((c) => c.warmupMessages).join(' / ')}) sent and drained untimed through the same node or worker (JIT, connections, instance start); first pass (cold): the warm-up's own rate, a fresh node and instance or worker. The median of ${rounds} rounds for batch 1, alternating which system goes first, and the ratio the median of per-round ratios.`,
      ...CASES.map((c) => `Nimbus, batch ${c.batchSize}: one queue function, ${c.settings}, metering and log capture on, basic isolation, the node in the bench process and its instance a process of its own.`),
      `BullMQ: redis-server from the distribution (started by the bench on 127.0.0.1, AOF everysec, no snapshots), one Worker with concurrency ${CONCURRENCY} and an empty processor in a process of its own; the producer in the bench process.`,
      'CPU µs/msg: CPU time of every process taking part (bench process with node or producer, instance or worker, Redis) ÷ messages: what a message costs this machine, whatever else was running.',
      `latency: handler start − send time. Under backlog: every ${SAMPLE_EVERY}th message of the burst, so it includes time queued behind earlier messages. One at a time: ${IDLE_SAMPLES} messages sent ${IDLE_GAP_MS} ms apart to an idle queue (a batch of 100 waits up to maxBatchWaitMs = 20 ms for company).`,
      `Targets (issue 14): batch 1 at least BullMQ's end-to-end rate; batch 100 at least ${BATCHED_TARGET.toLocaleString('en')} msgs/s.`,
      ...notes,
    ],
  };
}

async function nimbusThroughput(c: QueueCase, run: QueueRunOptions): Promise<NimbusRun> {
  const bench = await startTriggerBenchNode();
  try {
    await bench.deploy('bench', app(c));
    const client = new NimbusClient({ url: bench.node.url, key: bench.node.adminKey });
    const queue = client.queue<unknown>('bench');
    const send = (bodies: unknown[]) => queue.sendBatch(bodies.map((b) => ({ body: b })));
    // An empty peek means no message is left in any state (ready, delayed, in flight): one index lookup,
    // where the queue stats would count every row on each poll, on the node being measured.
    const pending = async () => {
      const { body } = await admin(bench.node, 'GET', '/queues/bench/messages?limit=1');
      return (body.messages as unknown[]).length;
    };
    // The instances are children of this process (the node runs here); so were BullMQ's worker and Redis, gone by now.
    const instancesCpuMs = () => childrenCpuMs(process.pid, new Set());
    const cold = await timedRun(run, run.warmupMessages, send, pending, instancesCpuMs);
    bench.marks.length = 0;
    const result = await timedRun(run, run.messages, send, pending, instancesCpuMs);
    await sleep(300);
    const latencies = [...(bench.marks as number[])];
    bench.marks.length = 0;
    // Then one message at a time, no backlog: the latency of the path itself.
    for (let i = 0; i < IDLE_SAMPLES; i++) {
      await queue.send({ n: -1, sentAt: performance.timeOrigin + performance.now() });
      await sleep(IDLE_GAP_MS);
    }
    const idleDeadline = Date.now() + 10_000;
    while (bench.marks.length < IDLE_SAMPLES && Date.now() < idleDeadline) await sleep(20);
    return {
      ...result,
      coldEndToEndPerSecond: cold.endToEndPerSecond,
      latencies,
      idle: [...(bench.marks as number[])],
    };
  } finally {
    await bench.dispose();
  }
}

function latencyCell(samples: number[]): string {
  return `${round(quantile(samples, 0.5), 1)} / ${round(quantile(samples, 0.99), 1)}`;
}
