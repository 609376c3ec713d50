// A plain HTTP API (node:http, no framework) that takes orders and hands the
// slow work to Nimbus: each order becomes a message in the `orders` queue,
// and the caller gets 202 with the message id as soon as Nimbus has stored it.
//
//   NIMBUS_URL=http://127.0.0.1:8080 NIMBUS_KEY=nbk_… PORT=3000 node examples/hybrid-api/server.js
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { NimbusClient, NimbusClientError } from 'nimbus-functions/client';

const MAX_BODY_BYTES = 64 * 1024;
const MAX_ITEMS = 100;

const nimbus = new NimbusClient({
  url: process.env.NIMBUS_URL ?? 'http://127.0.0.1:8080',
  key: process.env.NIMBUS_KEY,
  timeoutMs: 10_000,
});
const orders = nimbus.queue('orders');

function reply(res, status, body) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

async function readJson(req) {
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw Object.assign(new Error(`the body is larger than ${MAX_BODY_BYTES} bytes`), { status: 413 });
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw Object.assign(new Error('the body is not JSON'), { status: 400 });
  }
}

/** The order as the queue function expects it, or a message saying what is wrong. */
function validateOrder(input) {
  if (typeof input !== 'object' || input === null) return { problem: 'expected a JSON object' };
  if (typeof input.customer !== 'string' || input.customer === '') return { problem: 'customer: a non-empty string' };
  if (!Array.isArray(input.items) || input.items.length === 0 || input.items.length > MAX_ITEMS) return { problem: `items: 1 to ${MAX_ITEMS} items` };
  for (const [i, item] of input.items.entries()) {
    if (typeof item?.sku !== 'string' || !Number.isInteger(item.quantity) || item.quantity < 1 || !Number.isInteger(item.unitPriceCents) || item.unitPriceCents < 0) {
      return { problem: `items[${i}]: {sku: string, quantity: integer >= 1, unitPriceCents: integer >= 0}` };
    }
  }
  // A client may send its own id (so a retried POST is not a second order); else we make one.
  const orderId = typeof input.orderId === 'string' && /^[A-Za-z0-9_-]{1,64}$/.test(input.orderId) ? input.orderId : randomUUID();
  return {
    order: {
      orderId,
      customer: input.customer,
      items: input.items.map(({ sku, quantity, unitPriceCents }) => ({ sku, quantity, unitPriceCents })),
      receivedAt: Date.now(),
    },
  };
}

const server = createServer(async (req, res) => {
  try {
    if (req.method === 'POST' && req.url === '/orders') {
      const { order, problem } = validateOrder(await readJson(req));
      if (problem) return reply(res, 400, { error: problem });
      // dedupId: the same order id sent twice within 5 minutes is stored once.
      const { id, duplicate } = await orders.send(order, { dedupId: order.orderId });
      return reply(res, 202, { orderId: order.orderId, messageId: id, duplicate });
    }
    if (req.method === 'GET' && req.url === '/health') return reply(res, 200, { ok: true });
    return reply(res, 404, { error: `no route for ${req.method} ${req.url}` });
  } catch (error) {
    if (error instanceof NimbusClientError) {
      // Nimbus unreachable or refusing: the order was not stored, so the caller must retry.
      console.error(`nimbus: ${error.code}: ${error.message}`);
      return reply(res, 503, { error: 'the order queue is unavailable, try again' });
    }
    if (error.status) return reply(res, error.status, { error: error.message });
    console.error(error);
    return reply(res, 500, { error: 'internal error' });
  }
});

server.listen(Number(process.env.PORT ?? 3000), process.env.HOST ?? '127.0.0.1', () => {
  const { address, port } = server.address();
  console.log(`orders API listening on http://${address}:${port}`);
});

for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => server.close(() => process.exit(0)));
