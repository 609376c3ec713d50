import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { bundleApp } from '../../../src/cli/bundle/bundle-app.js';
import { admin, eventually } from '../../helpers/admin-client.js';
import { makeTempDir } from '../../helpers/temp-dir.js';
import { startTestNode, type TestNode } from '../../helpers/test-node.js';
import {
  DESCRIBE_SOURCE, EXECUTION_CONTEXT_SHAPE, MESSAGE_BATCH_SHAPE, MESSAGE_SHAPE, R2_OBJECT_BODY_SHAPE, R2_OBJECT_SHAPE,
  R2_OBJECTS_SHAPE, RESPONSE_FORMS, SCHEDULED_CONTROLLER_SHAPE,
} from './fixtures/documented-shapes.js';

const names = (shape: object): string => JSON.stringify(Object.keys(shape));

/** A Worker that answers each documented Response form and describes what it was given, in Cloudflare's terms. */
const WORKER = `
${DESCRIBE_SOURCE}
const FORMS = {
${RESPONSE_FORMS.map((f) => `  ${JSON.stringify(f.path)}: (ctx) => ${f.handler},`).join('\n')}
};

export default {
  async fetch(request, env, ctx) {
    const url = new URL(request.url);
    const form = FORMS[url.pathname];
    if (form) return form(ctx);
    if (url.pathname === '/request') {
      return Response.json({
        isRequest: request instanceof Request, method: request.method, url: request.url,
        header: request.headers.get('x-test'), body: await request.text(),
        ctx: describe(ctx, ${names(EXECUTION_CONTEXT_SHAPE)}),
        env: { GREETING: env.GREETING, NESTED: env.NESTED, SECRET_FROM_ENV: env.PLAIN ?? null },
      });
    }
    if (url.pathname === '/not-a-response') return 'a string is not a Response';
    if (url.pathname === '/throws') throw new Error('the worker broke');
    if (url.pathname === '/send') {
      // https://developers.cloudflare.com/queues/configuration/javascript-apis/ : the producer example.
      await env.MY_QUEUE.send({ url: request.url, method: request.method, headers: Object.fromEntries(request.headers) });
      return new Response('Sent!');
    }
    if (url.pathname === '/partial') {
      await env.MY_QUEUE.sendBatch([{ body: { case: 'partial', name: 'acked' } }, { body: { case: 'partial', name: 'retried' } }]);
      return new Response('Sent!');
    }
    if (url.pathname === '/bytes') {
      await env.MY_QUEUE.send(new Uint8Array([1, 2, 250]), { contentType: 'bytes' });
      return new Response('Sent!');
    }
    if (url.pathname === '/r2') {
      const B = env.MY_BUCKET;
      const put = await B.put('r2/doc.json', JSON.stringify({ a: 1 }), {
        httpMetadata: { contentType: 'application/json', cacheControl: 'max-age=60' },
        customMetadata: { Owner: 'Ada Lovelace', note: 'ünïcode' },
      });
      const head = await B.head('r2/doc.json');
      const got = await B.get('r2/doc.json');
      const headers = new Headers();
      got.writeHttpMetadata(headers);
      const shape = describe(got, ${names(R2_OBJECT_BODY_SHAPE)});
      const json = await got.json();
      const secondRead = await got.text().then(() => 'read twice', (e) => e instanceof TypeError ? 'TypeError' : String(e));
      await B.put('r2/a/1', 'x');
      await B.put('r2/a/2', new Uint8Array([121]));
      await B.put('r2/b', new Blob(['z']));
      const page1 = await B.list({ prefix: 'r2/', limit: 2 });
      const page2 = await B.list({ prefix: 'r2/', limit: 2, cursor: page1.cursor });
      const delimited = await B.list({ prefix: 'r2/', delimiter: '/' });
      const withMetadata = await B.list({ prefix: 'r2/doc', include: ['customMetadata', 'httpMetadata'] });
      await B.delete(['r2/a/1', 'r2/a/2']);
      await B.delete('r2/b');
      const left = await B.list({ prefix: 'r2/' });
      const refused = await B.get('r2/doc.json', { range: { offset: 1 } }).then(() => 'served', (e) => e.message);
      return Response.json({
        put: describe(put, ${names(R2_OBJECT_SHAPE)}), head: describe(head, ${names(R2_OBJECT_SHAPE)}), got: shape,
        json, secondRead, headers: Object.fromEntries(headers), custom: head.customMetadata, http: head.httpMetadata,
        etags: { put: put.etag, head: head.etag, http: head.httpEtag, md5: head.checksums.toJSON().md5 },
        missing: await B.get('r2/missing'), missingHead: await B.head('r2/missing'),
        listShape: describe(page1, ${names(R2_OBJECTS_SHAPE)}),
        page1: { keys: page1.objects.map((o) => o.key), truncated: page1.truncated, cursor: typeof page1.cursor },
        page2: { keys: page2.objects.map((o) => o.key), truncated: page2.truncated },
        delimited: { keys: delimited.objects.map((o) => o.key), prefixes: delimited.delimitedPrefixes },
        listed: { plain: page1.objects[0].customMetadata ?? null, included: withMetadata.objects[0].customMetadata },
        left: left.objects.map((o) => o.key), refused,
      });
    }
    return new Response('no such path ' + url.pathname, { status: 404 });
  },

  async queue(batch, env) {
    const first = batch.messages[0];
    if (first.body && first.body.case === 'partial') {
      for (const m of batch.messages) await env.MY_BUCKET.put('partial/' + m.body.name + '-' + m.attempts, 'seen');
      for (const m of batch.messages) if (m.body.name === 'acked') m.ack();
      if (batch.messages.some((m) => m.body.name === 'retried' && m.attempts === 1)) throw new Error('failed after acknowledging one');
      return;
    }
    const bytes = first.body instanceof Uint8Array ? Array.from(first.body) : null;
    await env.MY_BUCKET.put(bytes ? 'queue/bytes.json' : 'queue/batch.json', JSON.stringify({
      batch: describe(batch, ${names(MESSAGE_BATCH_SHAPE)}),
      message: describe(first, ${names(MESSAGE_SHAPE)}),
      queue: batch.queue, count: batch.messages.length, body: bytes ?? first.body, attempts: first.attempts,
      timestampIsRecent: Math.abs(Date.now() - first.timestamp.getTime()) < 3600000,
    }));
  },

  async scheduled(controller, env) {
    await env.MY_BUCKET.put('scheduled.json', JSON.stringify({
      controller: describe(controller, ${names(SCHEDULED_CONTROLLER_SHAPE)}), cron: controller.cron, scheduledTime: controller.scheduledTime,
    }));
  },
};
`;

/** wrangler.jsonc with comments and trailing commas, as wrangler accepts it; no routes: the Worker is reached at /fn/<app>/fetch. */
const WRANGLER_JSONC = `{
  // The Worker under test
  "name": "conformance",
  "main": "worker.js",
  /* bindings */
  "vars": { "GREETING": "hi // not a comment", "NESTED": { "list": [1, 2], "url": "https://example.com/*" }, },
  "queues": {
    "producers": [{ "binding": "MY_QUEUE", "queue": "conformance-q" }],
    "consumers": [{ "queue": "conformance-q", "max_batch_timeout": 0, "max_retries": 2, "retry_delay": 0 }],
  },
  "r2_buckets": [{ "binding": "MY_BUCKET", "bucket_name": "conformance-bucket" }],
  "triggers": { "crons": ["0 0 1 1 *"] },
}
`;

describe('Cloudflare Workers conformance: what a Worker gets and what its answers become', () => {
  let node: TestNode;
  const dir = makeTempDir('nimbus-workers-conformance-');
  const fn = (path: string, init?: RequestInit): Promise<Response> => fetch(`${node.url}/fn/conformance/fetch${path}`, init);
  const blob = async (key: string): Promise<string | undefined> => {
    const res = await fetch(`${node.url}/_nimbus/api/v1/blobs/conformance-bucket/${key}`, { headers: { authorization: `Bearer ${node.adminKey}` } });
    const text = await res.text();
    return res.status === 200 ? text : undefined;
  };
  const blobEventually = async (key: string): Promise<string> => {
    let found: string | undefined;
    await eventually(async () => (found = await blob(key)) !== undefined, 15_000, `the blob ${key}`);
    return found!;
  };

  before(async () => {
    await mkdir(dir.dir, { recursive: true });
    await writeFile(join(dir.dir, 'worker.js'), WORKER);
    await writeFile(join(dir.dir, 'wrangler.jsonc'), WRANGLER_JSONC);
    const { bundle, sourceMap, appName } = await bundleApp(dir.dir, { typecheck: false });
    assert.equal(appName, 'conformance');
    node = await startTestNode();
    const deployed = await admin(node, 'POST', '/apps/conformance/versions', { bundle, sourceMap });
    assert.equal(deployed.status, 201, JSON.stringify(deployed.body));
  });
  after(async () => {
    await node?.dispose();
    dir.remove();
  });

  for (const form of RESPONSE_FORMS) {
    test(`fetch returning ${form.handler.slice(0, 60)} answers as documented`, async () => {
      const res = await fn(form.path, { redirect: 'manual' });
      assert.equal(res.status, form.answer.status);
      for (const [name, value] of Object.entries(form.answer.headers)) assert.equal(res.headers.get(name), value, name);
      assert.equal(await res.text(), form.answer.body);
    });
  }

  test('fetch gets a standard Request at the path it would have on workers.dev, env with [vars] (JSON kept), and an ExecutionContext', async () => {
    const res = await fn('/request?q=1', { method: 'POST', headers: { 'x-test': 'yes' }, body: 'payload' });
    assert.equal(res.status, 200);
    const seen = await res.json() as { url: string } & Record<string, unknown>;
    assert.equal(new URL(seen.url).pathname + new URL(seen.url).search, '/request?q=1');
    assert.deepEqual({ ...seen, url: undefined }, {
      isRequest: true, method: 'POST', url: undefined, header: 'yes', body: 'payload',
      ctx: EXECUTION_CONTEXT_SHAPE,
      env: { GREETING: 'hi // not a comment', NESTED: { list: [1, 2], url: 'https://example.com/*' }, SECRET_FROM_ENV: null },
    });
  });

  test('a fetch handler that resolves to something other than a Response, or throws, fails the invocation (500)', async () => {
    for (const path of ['/not-a-response', '/throws']) {
      const res = await fn(path);
      assert.equal(res.status, 500, path);
      await res.text();
    }
  });

  test('the queue handler gets a MessageBatch of Messages shaped as documented, the body as sent by the documented producer example', async () => {
    assert.equal(await (await fn('/send', { headers: { 'x-from': 'producer' } })).text(), 'Sent!');
    const seen = JSON.parse(await blobEventually('queue/batch.json'));
    assert.deepEqual(seen.batch, MESSAGE_BATCH_SHAPE);
    assert.deepEqual(seen.message, MESSAGE_SHAPE);
    assert.equal(seen.queue, 'conformance-q');
    assert.equal(seen.count, 1);
    assert.equal(seen.attempts, 1);
    assert.equal(seen.timestampIsRecent, true);
    assert.equal(seen.body.method, 'GET');
    assert.equal(new URL(seen.body.url).pathname, '/send');
    assert.equal(seen.body.headers['x-from'], 'producer');
  });

  test('bytes sent with contentType "bytes" arrive as bytes', async () => {
    await fn('/bytes');
    const seen = JSON.parse(await blobEventually('queue/bytes.json'));
    assert.deepEqual(seen.body, [1, 2, 250]);
  });

  test('a message acknowledged before the handler throws stays acknowledged; the others are retried', async () => {
    await fn('/partial');
    await blobEventually('partial/retried-2');
    assert.equal(await blob('partial/acked-1'), 'seen');
    assert.equal(await blob('partial/acked-2'), undefined);
  });

  test('scheduled() gets a ScheduledController with the cron as written and the scheduled time in ms', async () => {
    const run = await admin(node, 'POST', '/timers/conformance/scheduled/run');
    assert.equal(run.status, 202, JSON.stringify(run.body));
    const seen = JSON.parse(await blobEventually('scheduled.json'));
    assert.deepEqual(seen.controller, SCHEDULED_CONTROLLER_SHAPE);
    assert.equal(seen.cron, '0 0 1 1 *');
    assert.equal(seen.scheduledTime, Date.parse(run.body.run.scheduledAt));
  });

  test('the R2 binding answers with R2Object, R2ObjectBody and R2Objects as documented', async () => {
    const res = await fn('/r2');
    assert.equal(res.status, 200, await res.clone().text());
    const r2 = await res.json() as Record<string, any>;
    assert.deepEqual(r2['put'], R2_OBJECT_SHAPE);
    assert.deepEqual(r2['head'], R2_OBJECT_SHAPE);
    assert.deepEqual(r2['got'], R2_OBJECT_BODY_SHAPE);
    assert.deepEqual(r2['json'], { a: 1 });
    assert.equal(r2['secondRead'], 'TypeError');
    assert.deepEqual(r2['headers'], { 'content-type': 'application/json', 'cache-control': 'max-age=60' });
    assert.deepEqual(r2['custom'], { Owner: 'Ada Lovelace', note: 'ünïcode' });
    assert.deepEqual(r2['http'], { contentType: 'application/json', cacheControl: 'max-age=60' });
    const { put, head, http, md5 } = r2['etags'];
    assert.match(put, /^[0-9a-f]{32}$/);
    assert.equal(head, put);
    assert.equal(http, `"${put}"`);
    assert.equal(md5, put);
    assert.equal(r2['missing'], null);
    assert.equal(r2['missingHead'], null);
    assert.deepEqual(r2['listShape'], R2_OBJECTS_SHAPE);
    assert.deepEqual(r2['page1'], { keys: ['r2/a/1', 'r2/a/2'], truncated: true, cursor: 'string' });
    assert.deepEqual(r2['page2'], { keys: ['r2/b', 'r2/doc.json'], truncated: false });
    assert.deepEqual(r2['delimited'], { keys: ['r2/b', 'r2/doc.json'], prefixes: ['r2/a/'] });
    assert.deepEqual(r2['listed'], { plain: null, included: { Owner: 'Ada Lovelace', note: 'ünïcode' } });
    assert.deepEqual(r2['left'], ['r2/doc.json']);
    assert.match(r2['refused'], /R2 get\(\) option "range" is not supported on Nimbus/);
  });
});
