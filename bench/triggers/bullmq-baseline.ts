/**
 * The baseline a Node team would pick for a job queue: BullMQ on Redis (AOF,
 * `appendfsync everysec`), a Worker with an empty processor in a process of
 * its own, jobs added in bulk with the same chunking and bodies as Nimbus's
 * senders and removed on completion (as Nimbus deletes a handled message).
 * Timed from the first add until no job is waiting, active or delayed.
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { processCpuMs } from '../support/process-cpu.js';
import { sleep } from '../support/stats.js';
import { loadBullMq } from './bullmq-module.js';
import { startRedisServer } from './redis-server.js';

const WORKER_SCRIPT = fileURLToPath(new URL('./bullmq-worker-process.js', import.meta.url));
const READY_TIMEOUT_MS = 15_000;
const DRAIN_POLL_MS = 20;

export interface QueueRunOptions {
  messages: number;
  /** Sent and drained first, untimed, on the same server and worker: JIT, connections, instance start. */
  warmupMessages: number;
  /** Jobs per add (HTTP send for Nimbus). */
  sendBatch: number;
  senders: number;
  drainTimeoutMs: number;
  /** The n-th message's body, the same for Nimbus and the baseline. */
  body: (n: number) => unknown;
}

export interface QueueRunResult {
  sentPerSecond: number;
  endToEndPerSecond: number;
  /** CPU of every process taking part (producer side, worker, Redis) per message, in µs. */
  cpuMicrosPerMessage: number;
}

/** Sends `messages` bodies through `send` in chunks of `sendBatch` from `senders` concurrent loops. */
export async function sendAll(options: QueueRunOptions, messages: number, send: (bodies: unknown[]) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: options.senders }, async () => {
    while (next < messages) {
      const from = next;
      next += options.sendBatch;
      const bodies = [];
      for (let n = from; n < Math.min(from + options.sendBatch, messages); n++) bodies.push(options.body(n));
      await send(bodies);
    }
  }));
}

/**
 * Sends `messages` and waits until `pending()` says none is left; times both,
 * with the CPU time of this process and of `otherCpuMs()` (the other processes taking part).
 */
export async function timedRun(
  options: QueueRunOptions, messages: number, send: (bodies: unknown[]) => Promise<unknown>,
  pending: () => Promise<number>, otherCpuMs: () => number,
): Promise<QueueRunResult> {
  const cpuBefore = process.cpuUsage();
  const othersBefore = otherCpuMs();
  const started = performance.now();
  await sendAll(options, messages, send);
  const sentMs = performance.now() - started;
  const deadline = Date.now() + options.drainTimeoutMs;
  while (await pending() > 0) {
    if (Date.now() > deadline) throw new Error(`the queue did not drain within ${options.drainTimeoutMs} ms`);
    await sleep(DRAIN_POLL_MS);
  }
  const totalMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  const othersMs = otherCpuMs() - othersBefore;
  return {
    sentPerSecond: messages / (sentMs / 1000),
    endToEndPerSecond: messages / (totalMs / 1000),
    cpuMicrosPerMessage: (cpu.user + cpu.system + othersMs * 1000) / messages,
  };
}

export interface BaselineRunResult extends QueueRunResult {
  /** The warm-up pass's end-to-end rate: a fresh worker process. */
  coldEndToEndPerSecond: number;
}

export async function bullMqThroughput(options: QueueRunOptions & { concurrency: number }): Promise<BaselineRunResult | { skipped: string }> {
  const bull = await loadBullMq();
  if ('skipped' in bull) return bull;
  const redis = await startRedisServer();
  if ('skipped' in redis) return redis;
  const connection = { host: '127.0.0.1', port: redis.port };
  const name = 'bench';
  // A clean argv: the bench may itself run under --cpu-prof, the worker must not.
  const worker = fork(WORKER_SCRIPT, [String(redis.port), name, String(options.concurrency)], { execArgv: [], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const queue = new bull.Queue(name, { connection, defaultJobOptions: { removeOnComplete: true } });
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the BullMQ worker did not get ready in time')), READY_TIMEOUT_MS);
      worker.once('message', (message: { kind: string; message?: string }) => {
        clearTimeout(timer);
        if (message.kind === 'ready') resolve();
        else reject(new Error(message.message ?? 'the BullMQ worker failed'));
      });
      worker.once('exit', (code) => reject(new Error(`the BullMQ worker exited (code ${code})`)));
    });
    await queue.waitUntilReady();
    const send = (bodies: unknown[]) => queue.addBulk(bodies.map((data) => ({ name: 'job', data })));
    const pending = () => queue.getJobCountByTypes('wait', 'active', 'delayed', 'prioritized', 'paused');
    const othersCpuMs = () => processCpuMs(worker.pid!) + processCpuMs(redis.pid);
    const cold = await timedRun(options, options.warmupMessages, send, pending, othersCpuMs);
    return { ...(await timedRun(options, options.messages, send, pending, othersCpuMs)), coldEndToEndPerSecond: cold.endToEndPerSecond };
  } finally {
    await queue.close().catch(() => {});
    if (worker.exitCode === null && worker.signalCode === null) {
      const exited = new Promise((resolve) => worker.once('exit', resolve));
      worker.send({ kind: 'stop' });
      const timer = setTimeout(() => worker.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    }
    await redis.stop();
  }
}
