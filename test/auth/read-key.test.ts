import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { admin, eventually } from '../helpers/admin-client.js';
import { startTestNode, type TestNode } from '../helpers/test-node.js';
import { lines, runNimbus } from '../cli/support/run-cli.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const APP = `
import { http, queue, timer } from 'nimbus-functions';
export const hello = http({ route: 'POST /hello', auth: 'key' }, () => { console.log('hello ran'); return { hello: true }; });
export const worker = queue({ queue: 'read-jobs' }, async () => ({ failed: [] }));
export const tick = timer({ cron: '0 0 1 1 *' }, () => {});
`;

describe('a read key reads every area of the admin API and changes nothing', () => {
  let node: TestNode;
  let readKey: string;
  let asyncId: string;
  const asReader = (method: string, path: string, body?: string, headers: Record<string, string> = {}) =>
    fetch(`${node.url}/_nimbus/api/v1${path}`, { method, headers: { authorization: `Bearer ${readKey}`, ...headers }, ...(body !== undefined ? { body } : {}) });

  before(async () => {
    node = await startTestNode();
    assert.equal((await node.deploy('shop', { 'index.ts': APP })).status, 201);
    assert.equal((await node.deploy('shop', { 'index.ts': `${APP}\n// v2` })).status, 201);
    assert.equal((await admin(node, 'PUT', '/apps/shop/secrets/TOKEN', { value: 'v' })).status, 200);
    assert.equal((await admin(node, 'PUT', '/budgets/shop-db', { concurrency: 2 })).status, 201);
    assert.equal((await admin(node, 'PUT', '/blobs/photos')).status, 201);
    assert.equal((await fetch(`${node.url}/_nimbus/api/v1/blobs/photos/cat.txt`, { method: 'PUT', headers: { authorization: `Bearer ${node.adminKey}` }, body: 'meow' })).status, 201);
    assert.equal((await admin(node, 'POST', '/queues/read-jobs/messages', { body: 1 })).status, 201);
    const queued = await fetch(`${node.url}/hello`, { method: 'POST', headers: { 'x-nimbus-async': '1', authorization: `Bearer ${node.adminKey}` }, body: '' });
    assert.equal(queued.status, 202);
    asyncId = ((await queued.json()) as { invocationId: string }).invocationId;

    // Made the way a person makes one: with the CLI.
    const cwd = makeTempDir('nimbus-read-key-');
    try {
      const created = await runNimbus(['keys', 'create', '--read', '--label', 'dashboard'], { cwd: cwd.dir, env: { NIMBUS_URL: node.url, NIMBUS_ADMIN_KEY: node.adminKey } });
      assert.equal(created.code, 0, created.stderr);
      readKey = lines(created.stdout)[0]!;
      const listed = await runNimbus(['keys', 'ls'], { cwd: cwd.dir, env: { NIMBUS_URL: node.url, NIMBUS_ADMIN_KEY: node.adminKey } });
      assert.match(listed.stdout, /\bread\s+dashboard\b/);
    } finally {
      cwd.remove();
    }
    await eventually(async () => (await admin(node, 'GET', '/invocation-records?app=shop')).body.records.length > 0, 10_000, 'the async invocation to be recorded');
  });
  after(() => node.dispose());

  test('every GET and HEAD of every area answers', async () => {
    const reads: [string, string][] = [
      ['GET', '/apps'], ['GET', '/apps/shop'], ['GET', '/apps/shop/versions'], ['GET', '/apps/shop/logs'],
      ['GET', '/queues'], ['GET', '/queues/read-jobs/messages'], ['GET', '/invocation-records?outcome=ok'],
      ['GET', '/usage'], ['GET', '/stats'], ['GET', '/timers'], ['GET', '/timers/shop/tick/runs'],
      ['GET', '/keys'], ['GET', '/apps/shop/secrets'], ['GET', '/node'], ['GET', '/nodes'],
      ['GET', '/blobs'], ['HEAD', '/blobs'], ['GET', '/blobs/photos'], ['GET', '/blobs/photos/cat.txt'], ['HEAD', '/blobs/photos/cat.txt'],
      ['GET', `/invocations/${asyncId}`], ['GET', '/openapi.json'], ['GET', '/budgets'], ['GET', '/budgets/shop-db'],
    ];
    for (const [method, path] of reads) {
      const answer = await asReader(method, path);
      const text = await answer.text();
      assert.equal(answer.status, 200, `${method} ${path}: ${text}`);
    }
    assert.equal(await (await asReader('GET', '/blobs/photos/cat.txt')).text(), 'meow');
    // Logs that follow: the stream opens for a read key too.
    const controller = new AbortController();
    const follow = await fetch(`${node.url}/_nimbus/api/v1/apps/shop/logs?follow=1`, { headers: { authorization: `Bearer ${readKey}` }, signal: controller.signal });
    assert.equal(follow.status, 200);
    assert.match(follow.headers.get('content-type') ?? '', /text\/event-stream/);
    controller.abort();
  });

  test('every write, invocation and send is 403 with a JSON error saying a read-only key cannot', async () => {
    const json = { 'content-type': 'application/json' };
    const writes: [string, string, string?, Record<string, string>?][] = [
      ['POST', '/apps/shop/versions', JSON.stringify({ bundle: 'x' }), json], ['POST', '/apps/shop/rollback', '{}', json], ['DELETE', '/apps/shop'],
      ['POST', '/apps/shop/functions/hello/invoke', ''], ['POST', '/apps/shop/functions/worker/invoke', '{}', json],
      ['POST', '/keys', JSON.stringify({ scope: { kind: 'admin' } }), json], ['DELETE', '/keys/0123456789abcdef'],
      ['PUT', '/apps/shop/secrets/TOKEN', JSON.stringify({ value: 'x' }), json], ['DELETE', '/apps/shop/secrets/TOKEN'],
      ['POST', '/queues/read-jobs/messages', JSON.stringify({ body: 1 }), json], ['DELETE', '/queues/read-jobs/messages'], ['POST', '/queues/read-jobs/redrive'],
      ['POST', '/timers/shop/tick/run'],
      ['PUT', '/budgets/shop-db', JSON.stringify({ concurrency: 3 }), json], ['DELETE', '/budgets/shop-db'],
      ['PUT', '/blobs/other'], ['DELETE', '/blobs/photos'], ['PUT', '/blobs/photos/dog.txt', 'woof'], ['DELETE', '/blobs/photos/cat.txt'],
    ];
    for (const [method, path, body, headers] of writes) {
      const answer = await asReader(method, path, body, headers);
      const text = await answer.text();
      assert.equal(answer.status, 403, `${method} ${path}: ${text}`);
      const { error } = JSON.parse(text) as { error: { code: string; message: string } };
      assert.equal(error.code, 'NIMBUS_ERR_AUTH_FORBIDDEN', `${method} ${path}`);
      assert.match(error.message, /read-only key cannot/, `${method} ${path}`);
    }
    // Nothing changed.
    assert.equal((await admin(node, 'GET', '/apps/shop')).body.app.liveVersion, 2);
    assert.deepEqual((await admin(node, 'GET', '/apps/shop/secrets')).body.secrets.map((s: { name: string }) => s.name), ['TOKEN']);
    assert.equal((await admin(node, 'GET', '/keys')).body.keys.length, 1);
    assert.equal((await fetch(`${node.url}/_nimbus/api/v1/blobs/photos/cat.txt`, { headers: { authorization: `Bearer ${node.adminKey}` } })).status, 200);
  });

  test('a read key does not invoke a key function at its route either', async () => {
    for (const path of ['/hello', '/fn/shop/hello']) {
      const answer = await fetch(`${node.url}${path}`, { method: 'POST', headers: { authorization: `Bearer ${readKey}` } });
      assert.equal(answer.status, 403, path);
      assert.equal(((await answer.json()) as { error: { code: string } }).error.code, 'NIMBUS_ERR_AUTH_FORBIDDEN');
    }
  });
});
