import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { startTestNode, type TestNode } from '../helpers/test-node.js';

/** /overdue's deadline: the companion call is sent half of it before the first call's deadline (see the test). */
const OVERDUE_TIMEOUT_MS = 4_000;

/**
 * Inside an instance, `Response` keeps string and byte bodies as they are
 * (src/runtime/instance/fast-response.ts) and `ctx.signal` is built on first
 * use. These functions check, in a real instance, that handlers still see
 * the standard behaviour.
 */
const app = (upstreamUrl: string): string => `
import { http } from 'nimbus-functions';

export const json = http({ route: 'GET /json' }, () =>
  Response.json({ a: 1, text: 'é' }, { status: 201, statusText: 'Made', headers: { 'x-extra': 'yes' } }));

export const jsonOwnType = http({ route: 'GET /json-own-type' }, () =>
  Response.json([1, 2], { headers: { 'content-type': 'application/vnd.api+json' } }));

export const text = http({ route: 'GET /text' }, () => new Response('hello ✓'));

export const bytes = http({ route: 'GET /bytes' }, () => {
  const source = new Uint8Array([1, 2, 3, 4]);
  const response = new Response(source.subarray(1, 3));
  source[1] = 99; // the body is a copy taken at construction
  return response;
});

export const redirect = http({ route: 'GET /redirect' }, () => Response.redirect('https://example.com/elsewhere', 301));

export const headersAfter = http({ route: 'GET /headers-after' }, () => {
  const response = new Response('x');
  response.headers.set('x-late', 'set after construction');
  response.headers.delete('content-type');
  return response;
});

class Cors extends Response {
  get headers() {
    const headers = super.headers;
    headers.set('access-control-allow-origin', '*');
    return headers;
  }
}
export const subclassHeaders = http({ route: 'GET /subclass-headers' }, () => new Cors('hi'));

export const semantics = http({ route: 'GET /semantics' }, async () => {
  const checks = {};
  const r = Response.json({ n: 1 });
  checks.instanceOfResponse = r instanceof Response;
  checks.errorIsResponse = Response.error() instanceof Response;
  checks.redirectIsResponse = Response.redirect('http://example.com/', 302) instanceof Response;
  checks.toStringTag = Object.prototype.toString.call(r);
  // The default content type is set on the native Headers only when something reads them.
  checks.headersSeen = [Response.json({}).headers.get('content-type'), new Response('t').headers.get('content-type'), [...Response.json({}, { status: 202 }).headers]];
  checks.builtWithoutConstructor = [Response.redirect('http://example.com/', 302).headers.get('location'), [...Response.error().headers].length];
  checks.bodyUsedBefore = r.bodyUsed;
  checks.cloneText = await r.clone().text();
  checks.json = await r.json();
  checks.bodyUsedAfter = r.bodyUsed;
  checks.secondReadFails = await r.text().then(() => false, (e) => e instanceof TypeError);
  checks.bodyIsStream = new Response('abc').body instanceof ReadableStream;
  checks.arrayBuffer = Array.from(new Uint8Array(await new Response(new Uint8Array([7, 8])).arrayBuffer()));
  checks.blobType = (await Response.json({}).blob()).type;
  checks.nullBodyStatusThrows = (() => { try { new Response('x', { status: 204 }); return false; } catch (e) { return e instanceof TypeError; } })();
  checks.badStatusThrows = (() => { try { new Response('x', { status: 99 }); return false; } catch (e) { return e instanceof RangeError; } })();
  checks.unserializableThrows = (() => { try { Response.json(undefined); return false; } catch (e) { return e instanceof TypeError; } })();
  checks.emptyNoContent = new Response(null, { status: 204 }).status;
  class Mine extends Response { mine() { return 'mine'; } }
  const mine = new Mine('sub');
  checks.subclass = [mine instanceof Mine, mine instanceof Response, Response.json({}) instanceof Mine, mine.mine(), await mine.text()];
  return checks;
});

export const readsOwnBody = http({ route: 'GET /reads-own-body' }, async () => {
  const inner = new Response('inner body', { headers: { 'x-inner': '1' } });
  const copy = inner.clone();
  return new Response(await inner.text() + ' / ' + await copy.text(), { headers: inner.headers });
});

export const streamed = http({ route: 'GET /streamed' }, () => new Response(new ReadableStream({
  start(controller) {
    controller.enqueue(new TextEncoder().encode('one,'));
    controller.enqueue(new TextEncoder().encode('two'));
    controller.close();
  },
})));

export const proxied = http({ route: 'GET /proxied' }, async (req, ctx) => {
  const upstream = await fetch('${upstreamUrl}');
  return new Response(upstream.body, { status: upstream.status, headers: { 'x-was-response': String(upstream instanceof Response) } });
});

export const watch = http({ route: 'POST /watch' }, (req, ctx) => new Promise(() => {
  const signal = ctx.signal;
  console.log('watch: aborted at start ' + signal.aborted);
  signal.addEventListener('abort', () => console.log('watch: abort event'));
}));

export const overdue = http({ route: 'GET /overdue', timeoutMs: ${OVERDUE_TIMEOUT_MS} }, async (req, ctx) => {
  if (new URL(req.url).searchParams.has('companion')) {
    // Keeps the instance busy past the other call's deadline (a timed-out instance with nothing else in flight is
    // replaced at once), until the upstream has heard from that call's abort listener; gives up just before its own deadline.
    while (Date.now() < ctx.deadline - 200) {
      if ((await (await fetch('${upstreamUrl}seen')).text()).includes('overdue-aborted')) return 'companion done';
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    return 'companion gave up';
  }
  const signal = ctx.signal;
  console.log('overdue: started, aborted ' + signal.aborted + ', deadline ' + ctx.deadline);
  // Its log lines no longer reach the node once the invocation has failed: it tells the upstream instead.
  signal.addEventListener('abort', () => void fetch('${upstreamUrl}overdue-aborted?' + (Date.now() >= ctx.deadline ? 'at' : 'before') + '-the-deadline'));
  return new Promise(() => {});
});

export const lateRead = http({ route: 'POST /late-read' }, async (req, ctx) => {
  console.log('late: started');
  // The body fails in the same step as the abort, without anyone having touched ctx.signal.
  await req.text().catch(() => undefined);
  console.log('late: first read after the abort, aborted ' + ctx.signal.aborted + ', same object ' + (ctx.signal === ctx.signal));
  return 'done';
});

export const reader = http({ route: 'POST /reader' }, async (req) => {
  console.log('reader: started');
  try {
    await req.text();
    console.log('reader: body complete');
  } catch {
    console.log('reader: body failed');
  }
  return 'done';
});
`;

describe('Response and ctx.signal inside an instance', () => {
  let node: TestNode;
  let upstream: import('node:http').Server;
  const upstreamPaths: string[] = [];
  before(async () => {
    const { createServer } = await import('node:http');
    upstream = createServer((req, res) => {
      if (req.url === '/seen') return void res.end(upstreamPaths.join('\n'));
      upstreamPaths.push(req.url ?? '');
      res.writeHead(203, { 'content-type': 'text/plain' }).end('from upstream');
    });
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    const port = (upstream.address() as import('node:net').AddressInfo).port;
    node = await startTestNode();
    const deployed = await node.deploy('web', { 'index.ts': app(`http://127.0.0.1:${port}/`) });
    assert.equal(deployed.status, 201, JSON.stringify(deployed.body));
  });
  after(async () => {
    await node.dispose();
    await new Promise((resolve) => upstream.close(resolve));
  });

  test('Response.json keeps status, status text, extra headers and sets the JSON content type', async () => {
    const res = await fetch(`${node.url}/json`);
    assert.equal(res.status, 201);
    assert.equal(res.statusText, 'Made');
    assert.equal(res.headers.get('content-type'), 'application/json');
    assert.equal(res.headers.get('x-extra'), 'yes');
    assert.deepEqual(await res.json(), { a: 1, text: 'é' });
    const own = await fetch(`${node.url}/json-own-type`);
    assert.equal(own.headers.get('content-type'), 'application/vnd.api+json');
    assert.deepEqual(await own.json(), [1, 2]);
  });

  test('string and byte bodies arrive as given, with the standard default content type', async () => {
    const text = await fetch(`${node.url}/text`);
    assert.equal(text.headers.get('content-type'), 'text/plain;charset=UTF-8');
    assert.equal(await text.text(), 'hello ✓');
    const bytes = await fetch(`${node.url}/bytes`);
    assert.equal(bytes.headers.get('content-type'), null);
    assert.deepEqual([...new Uint8Array(await bytes.arrayBuffer())], [2, 3]);
    const late = await fetch(`${node.url}/headers-after`);
    assert.equal(late.headers.get('x-late'), 'set after construction');
    assert.equal(late.headers.get('content-type'), null);
  });

  test('a subclass that adds headers in its own headers getter has them sent', async () => {
    const res = await fetch(`${node.url}/subclass-headers`);
    assert.equal(res.headers.get('access-control-allow-origin'), '*');
    assert.equal(res.headers.get('content-type'), 'text/plain;charset=UTF-8');
    assert.equal(await res.text(), 'hi');
  });

  test('handlers see standard Response behaviour: instanceof, clone, body reads, errors, subclasses', async () => {
    const res = await fetch(`${node.url}/semantics`);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), {
      instanceOfResponse: true,
      errorIsResponse: true,
      redirectIsResponse: true,
      toStringTag: '[object Response]',
      headersSeen: ['application/json', 'text/plain;charset=UTF-8', [['content-type', 'application/json']]],
      builtWithoutConstructor: ['http://example.com/', 0],
      bodyUsedBefore: false,
      cloneText: '{"n":1}',
      json: { n: 1 },
      bodyUsedAfter: true,
      secondReadFails: true,
      bodyIsStream: true,
      arrayBuffer: [7, 8],
      blobType: 'application/json',
      nullBodyStatusThrows: true,
      badStatusThrows: true,
      unserializableThrows: true,
      emptyNoContent: 204,
      subclass: [true, true, false, 'mine', 'sub'],
    });
  });

  test('Response.redirect, built without the constructor, answers as a redirect', async () => {
    const res = await fetch(`${node.url}/redirect`, { redirect: 'manual' });
    assert.equal(res.status, 301);
    assert.equal(res.headers.get('location'), 'https://example.com/elsewhere');
    await res.text();
  });

  test('a handler may read and clone its own Response before answering', async () => {
    const res = await fetch(`${node.url}/reads-own-body`);
    assert.equal(res.headers.get('x-inner'), '1');
    assert.equal(await res.text(), 'inner body / inner body');
  });

  test('stream bodies and fetched Responses still stream through', async () => {
    assert.equal(await (await fetch(`${node.url}/streamed`)).text(), 'one,two');
    const proxied = await fetch(`${node.url}/proxied`);
    assert.equal(proxied.status, 203);
    assert.equal(proxied.headers.get('x-was-response'), 'true');
    assert.equal(await proxied.text(), 'from upstream');
  });

  test('ctx.signal fires when the deadline passes (the host says so), and the caller gets 504', async () => {
    const lines: string[] = [];
    const stop = node.onFunctionLog((line) => lines.push(line.message));
    try {
      const overdue = fetch(`${node.url}/overdue`);
      const started = Date.now();
      let deadline: number | undefined;
      while (deadline === undefined) {
        const line = lines.map((l) => /^overdue: started, aborted false, deadline (\d+)$/.exec(l)).find((m) => m !== null);
        if (line) deadline = Number(line[1]);
        else if (Date.now() - started > 10_000) assert.fail(`the handler did not start: ${lines.join('\n')}`);
        else await new Promise((resolve) => setTimeout(resolve, 5));
      }
      // The companion must be running on the instance when the first call's deadline passes, and still be running when
      // that call's abort listener reports: it is sent half a deadline before the first call's (the deadline the host gave
      // it, whatever the test's own delays), so it lands on the same instance and its own deadline is as far after.
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, deadline - OVERDUE_TIMEOUT_MS / 2 - Date.now())));
      const companion = await fetch(`${node.url}/overdue?companion`);
      assert.equal(await companion.text(), 'companion done', `upstream saw: ${upstreamPaths.join(', ')}`);
      const res = await overdue;
      assert.equal(res.status, 504);
      await res.arrayBuffer();
      assert.ok(upstreamPaths.includes('/overdue-aborted?at-the-deadline'), upstreamPaths.join(', '));
    } finally {
      stop();
    }
  });

  test('a caller leaving mid-body fails the body and fires ctx.signal, held early or first read late', async () => {
    const lines: string[] = [];
    const stop = node.onFunctionLog((line) => lines.push(line.message));
    const waitFor = async (line: string): Promise<void> => {
      const deadline = Date.now() + 10_000;
      while (!lines.includes(line)) {
        if (Date.now() > deadline) assert.fail(`no log line "${line}" in:\n${lines.join('\n')}`);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    };
    /** Starts a chunked POST, waits for the handler's first line, then drops the connection mid-body. */
    const leaveMidBody = async (path: string, started: string): Promise<void> => {
      const req = request(`${node.url}${path}`, { method: 'POST', headers: { 'transfer-encoding': 'chunked' } });
      req.on('error', () => {});
      req.write('part of a body');
      await waitFor(started);
      req.destroy();
    };
    try {
      await leaveMidBody('/watch', 'watch: aborted at start false');
      await waitFor('watch: abort event');
      await leaveMidBody('/late-read', 'late: started');
      await waitFor('late: first read after the abort, aborted true, same object true');
      await leaveMidBody('/reader', 'reader: started');
      await waitFor('reader: body failed');
    } finally {
      stop();
    }
  });
});
