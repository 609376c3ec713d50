import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { typecheckApp } from '../../src/cli/bundle/typecheck-app.js';
import { makeTempDir } from '../cli/support/temp-app.js';

// A producer names the consuming function's definition in a type: the body is checked against the messages the
// function reads, the queue's name against the one it consumes. Checked the way `nimbus deploy` checks an app.

const FUNCTIONS = `
import { queue, type QueueBatch, type QueueMessageOf } from 'nimbus-functions';

export interface Order { orderId: string; cents: number }

/** Message type and queue name both read from the code; ctx left to inference, as the templates write it. */
export const processOrders = queue({ queue: 'orders', batchSize: 10 }, async (batch: QueueBatch<Order>, ctx) => {
  for (const m of batch.messages) ctx.log.info(m.body.orderId);
});

/** Message type given; the queue name stays a plain string. */
export const audit = queue<{ line: string }>({ queue: 'audit' }, async (batch, ctx) => {
  await ctx.queues.send<QueueMessageOf<typeof processOrders>>('orders', { orderId: batch.messages[0]!.body.line, cents: 1 });
});
`;

async function problems(producer: string): Promise<string[]> {
  const app = await makeTempDir({ 'functions.ts': FUNCTIONS, 'index.ts': producer }, 'nimbus-typed-queues-');
  try {
    return await typecheckApp(app.path, join(app.path, 'index.ts'));
  } finally {
    await app.remove();
  }
}

const PRELUDE = `
import { NimbusClient, type QueueClient } from 'nimbus-functions/client';
import type { audit, processOrders } from './functions';
const nimbus = new NimbusClient({ url: 'http://127.0.0.1:8080' });
export {};
`;

test('a producer typed by the consuming definition sends what the function reads, to the queue it consumes', async () => {
  assert.deepEqual(await problems(`${PRELUDE}
await nimbus.queueFor<typeof processOrders>('orders').send({ orderId: 'o-1', cents: 250 });
await nimbus.queueFor<typeof processOrders>('orders').sendBatch([{ body: { orderId: 'o-2', cents: 1 }, priority: 5 }]);
await nimbus.queueFor<typeof audit>('any-name-goes').send({ line: 'x' });
// Without a definition, as before: a body type, or none; and code generic over the body type.
await nimbus.queue<{ n: number }>('numbers').send({ n: 1 });
await nimbus.queue('anything').send(42);
function producer<T>(name: string): QueueClient<T> { return nimbus.queue<T>(name); }
await producer<string>('lines').send('x');
`), []);
});

test('a misspelt queue name or a body of the wrong shape is a type error naming it', async () => {
  const found = await problems(`${PRELUDE}
await nimbus.queueFor<typeof processOrders>('order').send({ orderId: 'o-1', cents: 250 });
await nimbus.queueFor<typeof processOrders>('orders').send({ orderId: 'o-1', cent: 250 });
await nimbus.queueFor<typeof audit>('audit').send({ line: 7 });
await nimbus.queueFor<{ orderId: string }>('orders');
`);
  assert.equal(found.length, 4, found.join('\n'));
  assert.match(found[0]!, /^index\.ts:\d+:\d+ .*"order".*"orders"/);
  assert.match(found[1]!, /^index\.ts:\d+:\d+ .*cent/);
  assert.match(found[2]!, /^index\.ts:\d+:\d+ .*number.*string/);
  assert.match(found[3]!, /^index\.ts:\d+:\d+ .*does not satisfy the constraint/, 'only a queue definition types queueFor');
});

test('inside a function, a body type taken from the definition is checked', async () => {
  const found = await problems(`
import { http, type QueueMessageOf } from 'nimbus-functions';
import type { processOrders } from './functions';
type Order = QueueMessageOf<typeof processOrders>;
export const checkout = http('POST /checkout', async (_req, ctx) => {
  await ctx.queues.send<Order>('orders', { orderId: 'o-1', cents: 1 });
  await ctx.queues.send<Order>('orders', { orderId: 'o-1' });
  await ctx.queues.send('free-form', { anything: true });
  return 'ok';
});
`);
  assert.equal(found.length, 1, found.join('\n'));
  assert.match(found[0]!, /cents/);
});
