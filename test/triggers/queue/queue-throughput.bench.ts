/**
 * Queue throughput on this machine: `npm run build && node dist/test/triggers/queue/queue-throughput.bench.js`.
 * Real SQLite file (WAL, synchronous=FULL), real clock, an invoker that
 * answers at once: what the store and the consumer cost, without the gateway
 * or sandboxes. Not part of `npm test`.
 */
import { join } from 'node:path';
import { systemClock } from '../../../src/shared/clock.js';
import type { EventInvocation, EventInvoker, EventResult } from '../../../src/runtime/event-invoker.js';
import type { QueueBatch } from '../../../src/sdk/definition.js';
import { SqliteQueueStore } from '../../../src/store/sqlite/sqlite-queue-store.js';
import { QueueTriggerManager } from '../../../src/triggers/queue/queue-trigger.js';
import { countTransactions, openDatabase, tempDir } from '../../store/sqlite/helpers.js';

const TOTAL = Number(process.env.BENCH_MESSAGES ?? 100_000);
const BODY = { orderId: 'o-123456', customer: 'c-42', items: [{ sku: 'sku-1', qty: 2 }, { sku: 'sku-2', qty: 1 }], total: 4999 };

async function scenario(name: string, senders: number, perCall: number, consume: boolean): Promise<void> {
  const tmp = tempDir();
  const db = openDatabase(join(tmp.dir, 'state.db'));
  const transactions = countTransactions(db);
  const store = new SqliteQueueStore(db, systemClock);
  let consumed = 0;
  let allConsumed!: () => void;
  const done = new Promise<void>((resolve) => (allConsumed = resolve));
  const invoker: EventInvoker = {
    async invokeEvent(event: EventInvocation): Promise<EventResult> {
      consumed += (event.payload as QueueBatch).messages.length;
      if (consumed >= TOTAL) allConsumed();
      return { id: 'x', outcome: 'ok' };
    },
  };
  const manager = new QueueTriggerManager({ queues: store, invoker, clock: systemClock });
  if (consume) manager.sync([{ app: 'bench', functionName: 'worker', version: 1, settings: { queue: 'bench' } }]);

  const start = performance.now();
  let next = 0;
  const sender = async () => {
    while (next < TOTAL) {
      const n = Math.min(perCall, TOTAL - next);
      next += n;
      await store.send('bench', Array.from({ length: n }, () => ({ body: BODY })));
    }
  };
  await Promise.all(Array.from({ length: senders }, sender));
  const sent = performance.now() - start;
  if (consume) await done;
  const total = performance.now() - start;
  await manager.close();
  await store.close();
  db.close();
  tmp.remove();
  const rate = (ms: number) => Math.round(TOTAL / (ms / 1000)).toLocaleString('en-US');
  console.log(
    `| ${name} | ${senders} × ${perCall} | ${rate(sent)} | ${consume ? rate(total) : '—'} | ${Math.round(TOTAL / transactions.count)} |`,
  );
}

console.log(`${TOTAL.toLocaleString('en-US')} messages of ${JSON.stringify(BODY).length} bytes\n`);
console.log('| scenario | concurrent senders × messages per send | sent msgs/s | sent + consumed msgs/s | messages per transaction |');
console.log('| --- | --- | --- | --- | --- |');
await scenario('send only', 100, 1, false);
await scenario('send only', 1_000, 1, false);
await scenario('send only', 20, 10, false);
await scenario('send and consume (batch 10, 4 in flight)', 100, 1, true);
await scenario('send and consume (batch 10, 4 in flight)', 1_000, 1, true);
await scenario('send and consume (batch 10, 4 in flight)', 20, 10, true);
