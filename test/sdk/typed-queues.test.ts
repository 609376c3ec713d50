import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { typecheckApp } from '../../src/cli/bundle/typecheck-app.js';
import { makeTempDir } from '../cli/support/temp-app.js';

// A producer names the consuming function's definition in a type: the body is checked against the messages the
// function reads, the queue's name against the one it consumes. Checked the way `nimbus deploy` checks an app.

const FUNCTIONS = `
import { queue, type QueueBatch } from 'nimbus-functions';

export interface Order { orderId: string; cents: number }

/** Message type and queue name both read from the code. */
export const processOrders = queue({ queue: 'orders', batchSize: 10 }, async (batch: QueueBatch<Order>) => {
  for (const m of batch.messages) console.log(m.body.orderId);
});

/** Message type given; the queue name stays a plain string. */
export const audit = queue<{ line: string }>({ queue: 'audit' }, async (batch, ctx) => {
  await ctx.queues.send<typeof processOrders>('orders', { orderId: batch.messages[0]!.body.line, cents: 1 });
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
import { NimbusClient } from 'nimbus-functions/client';
import type { audit, processOrders } from './functions';
const nimbus = new NimbusClient({ url: 'http://127.0.0.1:8080' });
export {};
`;

test('a producer typed by the consuming definition sends what the function reads, to the queue it consumes', async () => {
  assert.deepEqual(await problems(`${PRELUDE}
await nimbus.queue<typeof processOrders>('orders').send({ orderId: 'o-1', cents: 250 });
await nimbus.queue<typeof processOrders>('orders').sendBatch([{ body: { orderId: 'o-2', cents: 1 }, priority: 5 }]);
await nimbus.queue<typeof audit>('any-name-goes').send({ line: 'x' });
// Without a definition, as before: a body type, or none.
await nimbus.queue<{ n: number }>('numbers').send({ n: 1 });
await nimbus.queue('anything').send(42);
`), []);
});

test('a misspelt queue name or a body of the wrong shape is a type error naming it', async () => {
  const found = await problems(`${PRELUDE}
await nimbus.queue<typeof processOrders>('order').send({ orderId: 'o-1', cents: 250 });
await nimbus.queue<typeof processOrders>('orders').send({ orderId: 'o-1', cent: 250 });
await nimbus.queue<typeof audit>('audit').send({ line: 7 });
`);
  assert.equal(found.length, 3, found.join('\n'));
  assert.match(found[0]!, /^index\.ts:\d+:\d+ .*"order".*"orders"/);
  assert.match(found[1]!, /^index\.ts:\d+:\d+ .*cent/);
  assert.match(found[2]!, /^index\.ts:\d+:\d+ .*number.*string/);
});

test('ctx.queues.send inside a function is checked by the same definition', async () => {
  const found = await problems(`
import { http } from 'nimbus-functions';
import type { processOrders } from './functions';
export const checkout = http('POST /checkout', async (_req, ctx) => {
  await ctx.queues.send<typeof processOrders>('orders', { orderId: 'o-1', cents: 1 });
  await ctx.queues.send<typeof processOrders>('ordres', { orderId: 'o-1', cents: 1 });
  await ctx.queues.send('free-form', { anything: true });
  return 'ok';
});
`);
  assert.equal(found.length, 1, found.join('\n'));
  assert.match(found[0]!, /"ordres"/);
});
