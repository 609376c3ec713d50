import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { CLIENT_ERR_BAD_RESPONSE, CLIENT_ERR_NETWORK, NimbusClient, NimbusClientError } from '../../../src/sdk/client/index.js';
import type { InvocationRecord } from '../../../src/sdk/client/types.js';

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

const KEY = 'secret-key';
const seen: Seen[] = [];
let server: Server;
let url: string;

const record: InvocationRecord = {
  invocationId: 'inv-1', app: 'shop', functionName: 'checkout', state: 'succeeded', attempts: 1,
  status: 200, headers: [['content-type', 'text/plain']], bodyBase64: 'b2s=', error: null,
  createdAt: 1, updatedAt: 2, startedAt: 1, finishedAt: 2, expiresAt: 3,
};

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

function nimbusError(res: ServerResponse, status: number, code: string, message: string, extra: object = {}): void {
  json(res, status, { error: { code, message, ...extra } });
}

/** A stand-in for a Nimbus node, speaking the HTTP contract in docs/queues.md. */
async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  let body = '';
  for await (const chunk of req) body += chunk;
  seen.push({ method: req.method!, url: req.url!, headers: req.headers, body });
  if (req.url === '/_nimbus/api/v1/invocations/proxy') {
    res.writeHead(502, { 'content-type': 'text/html' }).end('<h1>Bad Gateway</h1>');
    return;
  }
  if (req.headers.authorization !== `Bearer ${KEY}`) {
    return nimbusError(res, 401, 'NIMBUS_ERR_AUTH_REQUIRED', 'an admin key is required');
  }
  const queue = /^\/_nimbus\/api\/v1\/queues\/([^/]+)\/messages$/.exec(req.url!);
  if (req.method === 'POST' && queue) {
    const { messages } = JSON.parse(body) as { messages: { body: unknown; dedupId?: string }[] };
    if (messages.some((m) => JSON.stringify(m.body).length > 100)) {
      return nimbusError(res, 413, 'NIMBUS_ERR_BODY_TOO_LARGE', 'the request body is larger than allowed: messages[0].body is too large', { field: 'messages[0].body', limit: 100 });
    }
    return json(res, 201, { messages: messages.map((m, i) => ({ id: String(i + 1), duplicate: m.dedupId === 'seen' })) });
  }
  if (req.method === 'POST' && req.url === '/fn/shop/checkout' && req.headers['x-nimbus-async'] === '1') {
    return json(res, 202, { invocationId: 'inv-1' });
  }
  if (req.method === 'GET' && req.url === '/_nimbus/api/v1/invocations/inv-1') return json(res, 200, record);
  if (req.method === 'GET' && req.url?.startsWith('/_nimbus/api/v1/invocations/')) {
    return nimbusError(res, 404, 'NIMBUS_ERR_API_NOT_FOUND', 'no such invocation');
  }
  const invoke = /^\/_nimbus\/api\/v1\/apps\/([^/]+)\/functions\/([^/]+)\/invoke$/.exec(req.url!);
  if (req.method === 'POST' && invoke) {
    const fn = invoke[2];
    if (fn === 'hang') return; // never answers
    if (fn === 'echo') return json(res, 200, { contentType: req.headers['content-type'] ?? null, body });
    if (fn === 'not-found-page') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('no such order');
      return;
    }
    if (fn === 'json-error') return json(res, 422, { error: 'the function says no' });
    if (fn === 'crash') return nimbusError(res, 502, 'NIMBUS_ERR_FUNCTION_CRASHED', 'the function instance crashed');
  }
  nimbusError(res, 404, 'NIMBUS_ERR_ROUTE_NOT_FOUND', 'no function serves this route');
}

before(async () => {
  server = createServer((req, res) => void handle(req, res));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(async () => {
  server.closeAllConnections();
  server.close();
});

const client = () => new NimbusClient({ url: `${url}/`, key: KEY });
const last = () => seen.at(-1)!;

async function refusal(promise: Promise<unknown>): Promise<NimbusClientError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof NimbusClientError, `expected a NimbusClientError, got ${error}`);
    return error;
  }
  assert.fail('expected the call to fail');
}

test('queue(name).send posts one message with its options and the key, and returns its id', async () => {
  const result = await client().queue<{ orderId: string }>('orders').send({ orderId: 'o-1' }, { delayMs: 5, dedupId: 'seen', priority: 2 });
  assert.deepEqual(result, { id: '1', duplicate: true });
  assert.equal(last().method, 'POST');
  assert.equal(last().url, '/_nimbus/api/v1/queues/orders/messages');
  assert.equal(last().headers.authorization, `Bearer ${KEY}`);
  assert.equal(last().headers['content-type'], 'application/json');
  assert.deepEqual(JSON.parse(last().body), { messages: [{ body: { orderId: 'o-1' }, delayMs: 5, dedupId: 'seen', priority: 2 }] });
});

test('sendBatch posts all messages in one request and returns one result each', async () => {
  const results = await client().queue<number>('orders').sendBatch([{ body: 1 }, { body: 2, priority: 9 }]);
  assert.deepEqual(results, [{ id: '1', duplicate: false }, { id: '2', duplicate: false }]);
  assert.deepEqual(JSON.parse(last().body), { messages: [{ body: 1 }, { body: 2, priority: 9 }] });
  const before = seen.length;
  assert.deepEqual(await client().queue('orders').sendBatch([]), []);
  assert.equal(seen.length, before, 'nothing to send, no request');
});

test('server errors become NimbusClientError with the server\'s code, status, message and details', async () => {
  let error = await refusal(client().queue('orders').send('x'.repeat(200)));
  assert.deepEqual([error.code, error.status, error.details], ['NIMBUS_ERR_BODY_TOO_LARGE', 413, { field: 'messages[0].body', limit: 100 }]);
  assert.match(error.message, /larger than allowed/);
  error = await refusal(new NimbusClient({ url, key: 'wrong' }).queue('orders').send(1));
  assert.deepEqual([error.code, error.status], ['NIMBUS_ERR_AUTH_REQUIRED', 401]);
  error = await refusal(client().invocation('nope'));
  assert.deepEqual([error.code, error.status], ['NIMBUS_ERR_API_NOT_FOUND', 404]);
});

test('invoke posts to the admin invoke endpoint and returns the function\'s response', async () => {
  let response = await client().invoke('shop/echo', { a: 1 });
  assert.equal(last().url, '/_nimbus/api/v1/apps/shop/functions/echo/invoke');
  assert.equal(response.status, 200);
  assert.equal(response.headers.get('content-type'), 'application/json');
  assert.deepEqual(await response.json(), { contentType: 'application/json', body: '{"a":1}' });
  response = await client().invoke('shop/echo', 'plain');
  assert.deepEqual(await response.json(), { contentType: 'text/plain; charset=utf-8', body: 'plain' });
  response = await client().invoke('shop/echo', new TextEncoder().encode('bytes'));
  assert.deepEqual(await response.json(), { contentType: 'application/octet-stream', body: 'bytes' });
  response = await client().invoke('shop/echo');
  assert.deepEqual(await response.json(), { contentType: null, body: '' });
});

test('invoke passes the function\'s own error answers through, and throws Nimbus\'s', async () => {
  const page = await client().invoke('shop/not-found-page', {});
  assert.equal(page.status, 404);
  assert.equal(await page.text(), 'no such order');
  const own = await client().invoke('shop/json-error', {});
  assert.equal(own.status, 422);
  assert.deepEqual(await own.json(), { error: 'the function says no' });
  const error = await refusal(client().invoke('shop/crash', {}));
  assert.deepEqual([error.code, error.status], ['NIMBUS_ERR_FUNCTION_CRASHED', 502]);
  await assert.rejects(client().invoke('no-slash', {}), TypeError);
  await assert.rejects(client().invokeAsync('a/b/c', {}), TypeError);
});

test('invokeAsync posts to /fn/<app>/<fn> with x-nimbus-async and returns the invocation id; invocation(id) reads it', async () => {
  assert.deepEqual(await client().invokeAsync('shop/checkout', { cart: [1] }), { invocationId: 'inv-1' });
  assert.equal(last().url, '/fn/shop/checkout');
  assert.equal(last().headers['x-nimbus-async'], '1');
  assert.equal(last().body, '{"cart":[1]}');
  assert.deepEqual(await client().invocation('inv-1'), record);
});

test('no answer, or an answer that is not Nimbus\'s, is a NimbusClientError too', async () => {
  const closed = createServer();
  closed.listen(0, '127.0.0.1');
  await once(closed, 'listening');
  const port = (closed.address() as AddressInfo).port;
  closed.close();
  await once(closed, 'close');
  let error = await refusal(new NimbusClient({ url: `http://127.0.0.1:${port}` }).queue('q').send(1));
  assert.deepEqual([error.code, error.status], [CLIENT_ERR_NETWORK, 0]);
  assert.equal(error.message, `cannot reach Nimbus at http://127.0.0.1:${port}: ECONNREFUSED (POST /_nimbus/api/v1/queues/q/messages)`, 'names the node tried and the cause');

  error = await refusal(client().invocation('proxy'));
  assert.deepEqual([error.code, error.status], [CLIENT_ERR_BAD_RESPONSE, 502]);

  error = await refusal(new NimbusClient({ url, key: KEY, timeoutMs: 50 }).invoke('shop/hang'));
  assert.equal(error.code, CLIENT_ERR_NETWORK);
  assert.equal(error.message, `no answer from Nimbus at ${url} within 50 ms (POST /_nimbus/api/v1/apps/shop/functions/hang/invoke)`);
});

test('the client refuses a URL it cannot use', () => {
  assert.throws(() => new NimbusClient({ url: 'not a url' }), TypeError);
});
