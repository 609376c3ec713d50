/**
 * The baseline a team would pick for PostgreSQL-backed jobs: pg-boss on the
 * same server, same message count and concurrency. Its workers wait a polling
 * interval (at least 0.5 s) between fetches, which would make it look far
 * slower than it is, so the strongest form is measured: its own `fetch` and
 * `complete` in tight loops, `concurrency` of them, `batchSize` jobs a fetch.
 */
import PgBoss from 'pg-boss';

export interface QueueThroughput {
  /** Messages per second while sending (each send durable before it resolved). */
  sentPerSecond: number;
  /** Messages per second from the first send until every message was completed. */
  endToEndPerSecond: number;
}

export async function pgBossThroughput(url: string, options: { messages: number; concurrency: number; batchSize: number; sendBatch: number; senders: number }): Promise<QueueThroughput> {
  const boss = new PgBoss({ connectionString: url, max: options.concurrency + options.senders + 2, supervise: false, schedule: false });
  boss.on('error', () => {});
  await boss.start();
  const queue = `bench_${options.batchSize}`;
  try {
    await boss.createQueue(queue);
    let completed = 0;
    let sendingDone = false;
    const started = performance.now();
    const workers = Array.from({ length: options.concurrency }, async () => {
      while (completed < options.messages) {
        const jobs = await boss.fetch(queue, { batchSize: options.batchSize });
        if (jobs.length === 0) {
          // Nothing yet: the senders are behind. Yield briefly instead of spinning on the database.
          await new Promise((resolve) => setTimeout(resolve, sendingDone ? 5 : 1));
          continue;
        }
        await boss.complete(queue, jobs.map((j) => j.id));
        completed += jobs.length;
      }
    });
    let next = 0;
    await Promise.all(Array.from({ length: options.senders }, async () => {
      while (next < options.messages) {
        const from = next;
        next += options.sendBatch;
        const jobs = [];
        for (let n = from; n < Math.min(from + options.sendBatch, options.messages); n++) jobs.push({ name: queue, data: { n } });
        await boss.insert(jobs);
      }
    }));
    sendingDone = true;
    const sentMs = performance.now() - started;
    await Promise.all(workers);
    const totalMs = performance.now() - started;
    return { sentPerSecond: options.messages / (sentMs / 1000), endToEndPerSecond: options.messages / (totalMs / 1000) };
  } finally {
    await boss.stop({ graceful: false, wait: true }).catch(() => {});
  }
}
