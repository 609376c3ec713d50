import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { admin } from '../helpers/admin-client.js';
import { startTestNode, type TestNode } from '../helpers/test-node.js';
import { INVOCATION_ID } from '../helpers/invocation-ids.js';

const APP = `
import { blob, http, queue, timer } from 'nimbus-functions';

export const hello = http(
  { route: 'GET /hello/:name', maxInstances: 5, concurrency: 8, timeoutMs: 5_000, memoryMb: 128 },
  async (req, ctx) => Response.json({ hello: ctx.params.name, id: ctx.invocationId }),
);

export const echo = http({ route: 'POST /echo' }, async (req) => new Response(req.body, { headers: { 'content-type': req.headers.get('content-type') ?? 'application/octet-stream' } }));

export const count = http({ route: 'POST /count' }, async (req) => {
  let bytes = 0;
  for await (const chunk of req.body!) bytes += chunk.byteLength;
  return { bytes };
});

export const stream = http({ route: 'GET /stream' }, () => {
  let n = 0;
  return new Response(new ReadableStream({
    async pull(controller) {
      if (n === 5) return controller.close();
      controller.enqueue(new TextEncoder().encode('chunk' + n++ + '\\n'));
      await new Promise((r) => setTimeout(r, 5));
    },
  }));
});

export const text = http({ route: 'GET /text' }, () => 'plain words');
export const nothing = http({ route: 'DELETE /things/:id' }, () => undefined);
export const whoami = http({}, (req, ctx) => ({ app: ctx.app, fn: ctx.functionName, version: ctx.version, method: req.method, url: req.url, deadlineSet: ctx.deadline > Date.now() }));
export const getItem = http({ route: 'GET /orders/:id/items/:item' }, (req, ctx) => ({ params: ctx.params }));
export const files = http({ route: 'GET /files/*' }, (req, ctx) => ({ params: ctx.params }));
export const rest = http({}, (req, ctx) => ({ params: ctx.params }));
export const putItem = http({ route: 'PUT /orders/:id/items/:item' }, () => 'put');
export const worker = queue({ queue: 'orders' }, async () => {});
export const onUpload = blob({ bucket: 'uploads' }, async () => {});
export const nightly = timer({ cron: '0 3 * * *' }, async () => {});
`;

describe('HTTP functions', () => {
  let node: TestNode;
  before(async () => {
    node = await startTestNode({ maxBodyBytes: 1024 * 1024 });
    const deployed = await node.deploy('hello', { 'index.ts': APP });
    assert.equal(deployed.status, 201, JSON.stringify(deployed.body));
  });
  after(() => node.dispose());

  test('a declared route passes its parameters and the invocation id to the handler', async () => {
    const res = await fetch(`${node.url}/hello/world`);
    assert.equal(res.status, 200);
    const body = await res.json() as { hello: string; id: string };
    assert.equal(body.hello, 'world');
    assert.equal(res.headers.get('x-nimbus-invocation-id'), body.id);
    assert.match(body.id, INVOCATION_ID);
  });

  test('every HTTP function is also reachable at /fn/<app>/<function>', async () => {
    const res = await fetch(`${node.url}/fn/hello/whoami`, { method: 'PUT', body: 'x' });
    const body = await res.json() as Record<string, unknown>;
    assert.deepEqual(body, { app: 'hello', fn: 'whoami', version: 1, method: 'PUT', url: `${node.url}/fn/hello/whoami`, deadlineSet: true });
  });

  test('the apps API gives every HTTP function its /fn/ URL, and one with a route its route URL, parameters as written', async () => {
    const { body } = await admin(node, 'GET', '/apps/hello');
    const shown = new Map((body.app.functions as { name: string; url: string | null; routeUrl: string | null }[]).map((f) => [f.name, f]));
    assert.deepEqual(shown.get('hello'), { ...shown.get('hello'), url: `${node.url}/fn/hello/hello`, routeUrl: `${node.url}/hello/:name` });
    assert.equal(shown.get('files')?.routeUrl, `${node.url}/files/*`);
    assert.deepEqual(shown.get('whoami'), { ...shown.get('whoami'), url: `${node.url}/fn/hello/whoami`, routeUrl: null }, 'no route: /fn/ only');
    // The route URL, its parameter filled in, serves the function.
    assert.equal(((await (await fetch(shown.get('hello')!.routeUrl!.replace(':name', 'ada'))).json()) as { hello: string }).hello, 'ada');
  });

  test('/fn/<app>/<function>/<rest> matches the rest against the route: its whole path, or its parameters alone', async () => {
    const params = async (path: string) => ((await (await fetch(`${node.url}${path}`)).json()) as { params: Record<string, string> }).params;
    assert.equal(((await (await fetch(`${node.url}/fn/hello/hello/world`)).json()) as { hello: string }).hello, 'world', 'GET /hello/:name, parameters alone');
    assert.deepEqual(await params('/fn/hello/getItem/42/7'), { id: '42', item: '7' });
    assert.deepEqual(await params('/fn/hello/getItem/orders/42/items/7'), { id: '42', item: '7' }, 'the route\'s own path');
    assert.deepEqual(await params('/fn/hello/getItem/42/7/'), { id: '42', item: '7' }, 'a trailing slash is dropped');
    assert.deepEqual(await params('/fn/hello/getItem/a%20b/7'), { id: 'a b', item: '7' }, 'parameters are percent-decoded');
    assert.deepEqual(await params('/fn/hello/files/files/a/b.txt'), { '*': 'a/b.txt' });
    assert.deepEqual(await params('/fn/hello/files/a/b.txt'), { '*': 'a/b.txt' });
    // No route, or a rest that fits neither form: the rest as it was, under '*'.
    assert.deepEqual(await params('/fn/hello/rest/x/y'), { '*': 'x/y' });
    assert.deepEqual(await params('/fn/hello/getItem/only-one'), { '*': 'only-one' });
    assert.deepEqual(await params('/fn/hello/getItem'), {});
  });

  test('a known route asked with another method gets 405 with Allow, not 404', async () => {
    const res = await fetch(`${node.url}/hello/world`, { method: 'POST', body: 'x' });
    assert.equal(res.status, 405);
    assert.equal(res.headers.get('allow'), 'GET, HEAD');
    const body = (await res.json()) as { error: { code: string; message: string; allow: string[] } };
    assert.equal(body.error.code, 'NIMBUS_ERR_METHOD_NOT_ALLOWED');
    assert.deepEqual(body.error.allow, ['GET', 'HEAD']);
    assert.match(body.error.message, /POST \/hello\/world: this route serves GET, HEAD/);
    // Two functions on one path: Allow lists both.
    const both = await fetch(`${node.url}/orders/1/items/2`, { method: 'DELETE' });
    assert.equal(both.status, 405);
    assert.equal(both.headers.get('allow'), 'GET, PUT, HEAD');
    assert.equal(await (await fetch(`${node.url}/orders/1/items/2`, { method: 'PUT' })).text(), 'put');
    // /fn reaches a function whatever the method.
    assert.equal((await fetch(`${node.url}/fn/hello/hello/world`, { method: 'POST' })).status, 200);
    // The admin API answers its own 405s the same way.
    const adminPut = await admin(node, 'PUT', '/apps');
    assert.equal(adminPut.status, 405);
    assert.equal(adminPut.headers.get('allow'), 'GET');
  });

  test('JSON in, the same JSON out', async () => {
    const res = await fetch(`${node.url}/echo`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ a: [1, 2, 3] }) });
    assert.equal(res.headers.get('content-type'), 'application/json');
    assert.deepEqual(await res.json(), { a: [1, 2, 3] });
  });

  test('a request body larger than one frame streams through intact', async () => {
    const big = Buffer.alloc(900 * 1024, 7);
    const res = await fetch(`${node.url}/count`, { method: 'POST', body: big });
    assert.deepEqual(await res.json(), { bytes: big.length });
  });

  test('a streamed response arrives chunk by chunk', async () => {
    const chunks: string[] = [];
    await new Promise<void>((resolve, reject) => {
      request(`${node.url}/stream`, (res) => {
        assert.equal(res.headers['transfer-encoding'], 'chunked');
        res.setEncoding('utf8');
        res.on('data', (c: string) => chunks.push(c));
        res.on('end', resolve);
      }).on('error', reject).end();
    });
    assert.equal(chunks.join(''), 'chunk0\nchunk1\nchunk2\nchunk3\nchunk4\n');
    assert.ok(chunks.length > 1, 'the body came in more than one piece');
  });

  test('strings are sent as text and undefined as 204', async () => {
    const text = await fetch(`${node.url}/text`);
    assert.equal(text.headers.get('content-type'), 'text/plain; charset=utf-8');
    assert.equal(await text.text(), 'plain words');
    const none = await fetch(`${node.url}/things/1`, { method: 'DELETE' });
    assert.equal(none.status, 204);
  });

  test('a body over the cap gets 413 with a JSON error, declared or streamed', async () => {
    const declared = await fetch(`${node.url}/echo`, { method: 'POST', body: Buffer.alloc(1024 * 1024 + 1) });
    assert.equal(declared.status, 413);
    assert.equal((await declared.json() as { error: { code: string } }).error.code, 'NIMBUS_ERR_BODY_TOO_LARGE');
    const chunked = await fetch(`${node.url}/count`, {
      method: 'POST', duplex: 'half',
      body: new ReadableStream({ start(c) { for (let i = 0; i < 20; i++) c.enqueue(new Uint8Array(128 * 1024)); c.close(); } }),
    } as RequestInit);
    assert.equal(chunked.status, 413);
    const after = await fetch(`${node.url}/hello/again`);
    assert.equal(after.status, 200, 'the function still serves');
  });

  test('unknown routes get 404 JSON', async () => {
    for (const path of ['/nope', '/hello', '/fn/', '/fn/hello', '/fn//hello']) {
      const res = await fetch(`${node.url}${path}`);
      assert.equal(res.status, 404, path);
      assert.equal((await res.json() as { error: { code: string } }).error.code, 'NIMBUS_ERR_ROUTE_NOT_FOUND');
    }
    const { error } = await (await fetch(`${node.url}/fn/hello`)).json() as { error: { message: string } };
    assert.equal(error.message, "no function serves this route: GET /fn/hello: a function's own path is /fn/APP/FUNCTION");
  });

  test('/fn/<app>/<function> that reaches no HTTP function is one answer for anyone but the admin key, whatever is missing', async () => {
    const miss = async (path: string, headers: Record<string, string> = {}) => {
      const res = await fetch(`${node.url}${path}`, { method: 'POST', headers, body: '{}' });
      assert.equal(res.status, 404, path);
      return ((await res.json()) as { error: Record<string, unknown> }).error;
    };
    const uniform = (app: string, fn: string, rest = '') => ({
      code: 'NIMBUS_ERR_ROUTE_NOT_FOUND',
      message: `no function serves this route: POST /fn/${app}/${fn}${rest}: no deployed app ${app} with an HTTP function ${fn} (queue, blob and timer functions have no URL)`,
    });
    // No such app, no such function, a queue, blob or timer function: which apps and functions exist is not told.
    assert.deepEqual(await miss('/fn/helo/hello'), uniform('helo', 'hello'));
    assert.deepEqual(await miss('/fn/hello/ecko/x'), uniform('hello', 'ecko', '/x'));
    for (const fn of ['worker', 'onUpload', 'nightly']) assert.deepEqual(await miss(`/fn/hello/${fn}`), uniform('hello', fn));
    // A wrong key is no key.
    assert.deepEqual(await miss('/fn/hello/worker', { authorization: 'Bearer nope' }), uniform('hello', 'worker'));
  });

  test('with the admin key, such a 404 says which part is missing, with the closest name, or which trigger runs the function', async () => {
    const miss = async (path: string) => {
      const res = await fetch(`${node.url}${path}`, { headers: { authorization: `Bearer ${node.adminKey}` } });
      assert.equal(res.status, 404, path);
      return ((await res.json()) as { error: { message: string } }).error.message;
    };
    const answer = await fetch(`${node.url}/fn/hello/worker`, { headers: { authorization: `Bearer ${node.adminKey}` } });
    assert.deepEqual(((await answer.json()) as { error: unknown }).error, {
      code: 'NIMBUS_ERR_FUNCTION_NOT_HTTP', app: 'hello', function: 'worker', kind: 'queue',
      message: 'the function is not an HTTP function: hello/worker is a queue function; messages sent to its queue orders run it, not requests',
    });
    assert.equal(await miss('/fn/helo/hello'), 'no such app: helo is not deployed; did you mean "hello"?');
    assert.equal(await miss('/fn/ghost/hello'), 'no such app: ghost is not deployed', 'no name is close');
    assert.equal(await miss('/fn/hello/ecko'), 'no such function: app hello has no function ecko; did you mean "echo"?');
    assert.equal(await miss('/fn/hello/wroker'), 'no such function: app hello has no function wroker; did you mean "worker"?', 'event functions are names too');
    assert.equal(await miss('/fn/hello/worker'), 'the function is not an HTTP function: hello/worker is a queue function; messages sent to its queue orders run it, not requests');
    assert.equal(await miss('/fn/hello/onUpload'), 'the function is not an HTTP function: hello/onUpload is a blob function; changes to objects in its bucket uploads run it, not requests');
    assert.equal(await miss('/fn/hello/nightly'), 'the function is not an HTTP function: hello/nightly is a timer function; its schedule (0 3 * * *) runs it, not requests');
  });

  test('the admin API needs the admin key', async () => {
    const res = await fetch(`${node.url}/_nimbus/api/v1/apps`);
    assert.equal(res.status, 401);
    assert.equal((await res.json() as { error: { code: string } }).error.code, 'NIMBUS_ERR_AUTH_REQUIRED');
    const wrong = await fetch(`${node.url}/_nimbus/api/v1/apps`, { headers: { authorization: 'Bearer nope' } });
    assert.equal(wrong.status, 401);
    const ok = await admin(node, 'GET', '/apps');
    assert.equal(ok.status, 200);
    assert.equal(ok.body.apps[0].name, 'hello');
  });

  test('the OpenAPI document describes the admin API', async () => {
    const res = await fetch(`${node.url}/_nimbus/api/v1/openapi.json`);
    const doc = await res.json() as { openapi: string; paths: Record<string, Record<string, unknown>> };
    assert.equal(doc.openapi, '3.1.0');
    assert.ok(doc.paths['/_nimbus/api/v1/apps/{app}/versions']?.['post']);
    assert.ok(doc.paths['/_nimbus/api/v1/apps/{app}/rollback']?.['post']);
  });
});
