import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { app, HttpResponse, type HttpRequest, type InvocationContext } from '../../../src/sdk/adapters/azure/index.js';
import { setCookieHeader } from '../../../src/sdk/adapters/azure/http.js';
import { cookieForms, requestExample, responseForms } from './fixtures/http.js';
import { definitionsOf, fakeContext, invoke } from './harness.js';

const BASE = 'http://127.0.0.1:8080';

test('an HTTP handler receives the request as the guide documents it: method, url, headers, query, params, user', async () => {
  let seen: { request: HttpRequest; context: InvocationContext } | undefined;
  const defs = definitionsOf(() => app.http('getProducts', {
    methods: ['GET'], route: requestExample.route,
    handler: (request, context) => {
      seen = { request, context };
      return { body: 'ok' };
    },
  }));
  const def = defs['getProducts']!;
  assert.equal(def.kind, 'http');
  assert.deepEqual(def.settings, { route: 'GET /api/products/:category/*', auth: 'anonymous', origin: 'azure' });

  const response = (await invoke(def, new Request(BASE + requestExample.url, { headers: requestExample.headers }), fakeContext({ category: 'books', '*': '42' }))) as Response;
  assert.equal(response.status, 200);
  const { request, context } = seen!;
  assert.equal(request.method, requestExample.expected.method);
  assert.equal(request.url, BASE + requestExample.url);
  assert.ok(request.headers instanceof Headers);
  assert.equal(request.headers.get('user-agent'), 'test-agent');
  assert.ok(request.query instanceof URLSearchParams);
  assert.deepEqual([...request.query], requestExample.expected.query);
  assert.deepEqual(request.params, requestExample.expected.params);
  assert.equal(request.user, requestExample.expected.user);
  assert.equal(request.body, null, 'a GET has no body');
  assert.equal(context.functionName, 'getProducts');
  assert.equal(context.invocationId, 'inv-1');
  assert.equal(context.triggerMetadata, undefined, 'http triggers carry no triggerMetadata in v4');
  assert.equal(context.options.trigger.type, 'httpTrigger');
  assert.deepEqual(context.options.trigger['methods'], ['GET']);
  assert.equal(context.options.return?.type, 'http', 'the default return is the HTTP output');
  for (const level of ['log', 'trace', 'debug', 'info', 'warn', 'error'] as const) assert.equal(typeof context[level], 'function');
});

test('the body reads as text, json, arrayBuffer, blob and formData; clone() reads it twice', async () => {
  const bodies: unknown[] = [];
  const defs = definitionsOf(() => app.post('echo', async (request) => {
    const copy = request.clone();
    bodies.push(await request.json(), await copy.text(), request.bodyUsed);
    return { status: 200 };
  }));
  await invoke(defs['echo'], new Request(`${BASE}/api/echo`, { method: 'POST', body: '{"a":1}' }), fakeContext());
  assert.deepEqual(bodies, [{ a: 1 }, '{"a":1}', true]);

  const forms = definitionsOf(() => app.http('form', {
    methods: ['POST'],
    handler: async (request) => {
      const [bytes, blob, form] = await Promise.all([request.clone().arrayBuffer(), request.clone().blob(), request.formData()]);
      return { jsonBody: { bytes: bytes.byteLength, blob: blob.size, name: form.get('name') } };
    },
  }));
  const response = (await invoke(forms['form'], new Request(`${BASE}/api/form`, { method: 'POST', body: new URLSearchParams({ name: 'ada' }) }), fakeContext())) as Response;
  assert.deepEqual(await response.json(), { bytes: 8, blob: 8, name: 'ada' });
});

test('every documented HttpResponseInit form gives the documented HTTP answer', async () => {
  for (const form of responseForms) {
    const defs = definitionsOf(() => app.get('answer', () => form.result as never));
    const response = (await invoke(defs['answer'], new Request(`${BASE}/api/answer`), fakeContext())) as Response;
    assert.equal(response.status, form.status, form.name);
    for (const [name, value] of Object.entries(form.headers)) assert.equal(response.headers.get(name), value, `${form.name}: ${name}`);
    assert.equal(await response.text(), form.body, form.name);
  }
});

test('an HttpResponse instance, a stream body and cookies are sent as Azure sends them', async () => {
  const defs = definitionsOf(() => {
    app.get('instance', () => new HttpResponse({ status: 418, jsonBody: { teapot: true }, cookies: [cookieForms[0]!.cookie] }));
    app.get('streamed', () => ({ body: Readable.from([Buffer.from('a'), Buffer.from('b')]) }));
  });
  const instance = (await invoke(defs['instance'], new Request(`${BASE}/api/instance`), fakeContext())) as Response;
  assert.equal(instance.status, 418);
  assert.equal(instance.headers.get('content-type'), 'application/json');
  assert.deepEqual(instance.headers.getSetCookie(), [cookieForms[0]!.header]);
  assert.deepEqual(await instance.json(), { teapot: true });
  const streamed = (await invoke(defs['streamed'], new Request(`${BASE}/api/streamed`), fakeContext())) as Response;
  assert.equal(await streamed.text(), 'ab');
  for (const { cookie, header } of cookieForms) assert.equal(setCookieHeader(cookie), header);
  const plain = definitionsOf(() => app.get('plain', () => ({ body: 'ok', cookies: cookieForms.map((c) => c.cookie) })));
  const withCookies = (await invoke(plain['plain'], new Request(`${BASE}/api/plain`), fakeContext())) as Response;
  assert.deepEqual(withCookies.headers.getSetCookie(), cookieForms.map((c) => c.header), 'an HttpResponseInit\'s cookies too');
  assert.equal(await withCookies.text(), 'ok');
});

test('a handler returning something that is not an object fails the invocation with Azure\'s message', async () => {
  const defs = definitionsOf(() => app.get('bad', () => 'just a string' as never));
  await assert.rejects(invoke(defs['bad'], new Request(`${BASE}/api/bad`), fakeContext()), /The HTTP response must be an object/);
});

test('methods, authLevel, route defaults and the route prefix map onto Nimbus routes', () => {
  const defs = definitionsOf(() => {
    app.http('hello-world', { handler: () => ({}) });
    app.http('admin', { methods: ['DELETE'], authLevel: 'admin', route: 'admin/{*rest}', handler: () => ({}) });
    app.http('keyed', { methods: ['PUT'], authLevel: 'function', route: '/', handler: () => ({}) });
  }, { routePrefix: '' });
  assert.deepEqual(defs['hello_world']!.settings, { route: '* /hello-world', auth: 'anonymous', origin: 'azure' }, 'GET and POST by default, the name as the route');
  assert.deepEqual(defs['admin']!.settings, { route: 'DELETE /admin/*', auth: 'admin', origin: 'azure' });
  assert.deepEqual(defs['keyed']!.settings, { route: 'PUT /', auth: 'key', origin: 'azure' });
});

test('a request with a method the function does not list is a 405 naming the methods; a broken constraint a 404', async () => {
  const defs = definitionsOf(() => app.http('item', { route: 'items/{id:int}', handler: () => ({ body: 'item' }) }));
  const put = (await invoke(defs['item'], new Request(`${BASE}/api/items/1`, { method: 'PUT' }), fakeContext({ id: '1' }))) as Response;
  assert.equal(put.status, 405);
  assert.equal(put.headers.get('allow'), 'GET, POST');
  assert.equal(((await put.json()) as { error: { code: string } }).error.code, 'NIMBUS_ERR_METHOD_NOT_ALLOWED');
  const notInt = (await invoke(defs['item'], new Request(`${BASE}/api/items/x`), fakeContext({ id: 'x' }))) as Response;
  assert.equal(notInt.status, 404);
  assert.equal(((await notInt.json()) as { error: { code: string } }).error.code, 'NIMBUS_ERR_ROUTE_NOT_FOUND');
  const ok = (await invoke(defs['item'], new Request(`${BASE}/api/items/7`), fakeContext({ id: '7' }))) as Response;
  assert.equal(await ok.text(), 'item');
});

test('extra outputs of an HTTP function go to Nimbus queues and blobs, with binding expressions from the route', async () => {
  const { output } = await import('../../../src/sdk/adapters/azure/index.js');
  const queued = output.storageQueue({ queueName: 'orders', connection: 'AzureWebJobsStorage' });
  const saved = output.storageBlob({ path: 'orders/{id}.json', connection: 'AzureWebJobsStorage' });
  const defs = definitionsOf(() => app.post('order', {
    route: 'orders/{id}', extraOutputs: [queued, saved],
    handler: (request, context) => {
      context.extraOutputs.set(queued, [{ id: request.params.id }, 'second']);
      context.extraOutputs.set(saved, { id: request.params.id });
      return { status: 202 };
    },
  }));
  const ctx = fakeContext({ id: 'o-9' });
  const response = (await invoke(defs['order'], new Request(`${BASE}/api/orders/o-9`, { method: 'POST' }), ctx)) as Response;
  assert.equal(response.status, 202);
  assert.deepEqual(ctx.recorded.sent, [{ queue: 'orders', body: { id: 'o-9' } }, { queue: 'orders', body: 'second' }]);
  assert.equal(Buffer.from(ctx.recorded.blobs.get('orders/o-9.json')!.body).toString(), '{"id":"o-9"}');
});

test('binding expressions of an HTTP function read the query and the headers', async () => {
  const { output } = await import('../../../src/sdk/adapters/azure/index.js');
  const saved = output.storageBlob({ path: 'notes/{query.day}/{headers.x-author}.txt', connection: 'AzureWebJobsStorage' });
  const defs = definitionsOf(() => app.post('note', {
    route: 'notes', extraOutputs: [saved],
    handler: (_request, context) => {
      context.extraOutputs.set(saved, 'written');
      return { status: 201 };
    },
  }));
  const ctx = fakeContext({});
  const request = new Request(`${BASE}/api/notes?day=monday`, { method: 'POST', headers: { 'x-author': 'ada' } });
  const response = (await invoke(defs['note'], request, ctx)) as Response;
  assert.equal(response.status, 201);
  assert.equal(Buffer.from(ctx.recorded.blobs.get('notes/monday/ada.txt')!.body).toString(), 'written');
});
