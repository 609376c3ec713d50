/**
 * Queues end to end: messages sent over HTTP (durable before acknowledged),
 * run by a queue function, deleted after it succeeded; throughput from the
 * first send to an empty queue, and send → handler-start latency.
 */
import { NimbusClient } from '../../src/sdk/client/index.js';
import { admin } from '../../test/helpers/admin-client.js';
import type { BenchRow, BenchSection, SectionResult } from '../section.js';
import { quantile, round, sleep } from '../support/stats.js';
import { PRECISE_NOW, startTriggerBenchNode } from './trigger-node.js';

const CASES = [
  { batchSize: 1, messages: 5_000 },
  { batchSize: 100, messages: 40_000 },
] as const;
const SEND_BATCH = 500;
const SENDERS = 4;
/** Every n-th message carries its send time, so latency is sampled without logging every message. */
const SAMPLE_EVERY = 50;
const DRAIN_TIMEOUT_MS = 120_000;
const IDLE_SAMPLES = 40;
const IDLE_GAP_MS = 40;

const app = (batchSize: number) => `
import { queue } from 'nimbus-functions';
export const work = queue({ queue: 'bench', batchSize: ${batchSize}, maxBatchWaitMs: 20, maxConcurrency: 8, concurrency: 8, maxInstances: 1 }, async (batch) => {
  const now = ${PRECISE_NOW};
  for (const m of batch.messages) if (m.body.sentAt) console.log('mark ' + JSON.stringify(now - m.body.sentAt));
});
`;

export const queueSection: BenchSection = {
  name: 'queues',
  title: 'Queues end to end (send → handled → deleted, durable) and send → handler-start latency',
  run: benchQueues,
};

export async function benchQueues(): Promise<SectionResult> {
  const rows: BenchRow[] = [];
  for (const c of CASES) {
    const bench = await startTriggerBenchNode();
    try {
      await bench.deploy('bench', app(c.batchSize));
      const client = new NimbusClient({ url: bench.node.url, key: bench.node.adminKey });
      const queue = client.queue<{ n: number; sentAt?: number }>('bench');
      const started = performance.now();
      let next = 0;
      await Promise.all(Array.from({ length: SENDERS }, async () => {
        while (next < c.messages) {
          const from = next;
          next += SEND_BATCH;
          const batch = [];
          for (let n = from; n < Math.min(from + SEND_BATCH, c.messages); n++) {
            batch.push({ body: n % SAMPLE_EVERY === 0 ? { n, sentAt: performance.timeOrigin + performance.now() } : { n } });
          }
          await queue.sendBatch(batch);
        }
      }));
      const sentMs = performance.now() - started;
      const deadline = Date.now() + DRAIN_TIMEOUT_MS;
      for (;;) {
        const { body } = await admin(bench.node, 'GET', '/queues');
        const stats = (body.queues as { name: string; depth: number; inFlight: number; delayed: number }[]).find((q) => q.name === 'bench');
        if (stats && stats.depth + stats.inFlight + stats.delayed === 0) break;
        if (Date.now() > deadline) throw new Error('the queue did not drain in time');
        await sleep(20);
      }
      const totalMs = performance.now() - started;
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
      const idle = bench.marks as number[];
      rows.push({
        'batch size': c.batchSize,
        messages: c.messages,
        'sent msgs/s (durable)': Math.round(c.messages / (sentMs / 1000)),
        'end-to-end msgs/s': Math.round(c.messages / (totalMs / 1000)),
        'latency under backlog p50 / p99 ms': `${round(quantile(latencies, 0.5), 1)} / ${round(quantile(latencies, 0.99), 1)}`,
        'latency, one at a time p50 / p99 ms': `${round(quantile(idle, 0.5), 1)} / ${round(quantile(idle, 0.99), 1)}`,
      });
    } finally {
      await bench.dispose();
    }
  }
  return {
    rows,
    notes: [
      `${SENDERS} concurrent senders, ${SEND_BATCH} messages per HTTP send; a send is answered only after its transaction committed (group commit).`,
      'end-to-end msgs/s: from the first send until the queue is empty (every message handled and deleted), one queue function (maxConcurrency 8, one instance).',
      `latency: handler start − send time. Under backlog: every ${SAMPLE_EVERY}th message of the burst, so it includes time queued behind earlier messages. One at a time: ${IDLE_SAMPLES} messages sent ${IDLE_GAP_MS} ms apart to an idle queue (a batch of 100 waits up to maxBatchWaitMs = 20 ms for company).`,
      'Target: at least 20,000 messages/s end to end with batching.',
    ],
  };
}
