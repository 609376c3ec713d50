/**
 * A BullMQ worker in a process of its own, as a user would run it: concurrency
 * from argv, an empty processor. Says `ready` once connected; exits after a
 * `stop` message (or when the bench goes away).
 * argv: <redis port> <queue> <concurrency>
 */
import { loadBullMq } from './bullmq-module.js';

const [port, queue, concurrency] = process.argv.slice(2);
const bull = await loadBullMq();
if ('skipped' in bull) {
  process.send!({ kind: 'failed', message: bull.skipped });
  process.exit(1);
}
const worker = new bull.Worker(queue!, async () => {}, {
  connection: { host: '127.0.0.1', port: Number(port) }, concurrency: Number(concurrency),
});
worker.on('failed', (...args) => console.error('bullmq worker: job failed', args[1]));
worker.on('error', (error) => console.error('bullmq worker:', error));
await worker.waitUntilReady();
process.send!({ kind: 'ready' });
const stop = async () => {
  await worker.close().catch(() => {});
  process.exit(0);
};
process.on('message', (message: { kind: string }) => {
  if (message.kind === 'stop') void stop();
});
process.on('disconnect', () => void stop());
