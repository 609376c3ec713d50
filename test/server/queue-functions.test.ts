import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { NimbusClient, NimbusClientError } from '../../src/sdk/client/index.js';
import { admin, eventually } from '../helpers/admin-client.js';
import { startTestNode, type TestNode } from '../helpers/test-node.js';
import { INVOCATION_ID } from '../helpers/invocation-ids.js';

const APP = `
import { http, queue } from 'nimbus-functions';

let running = 0;
export const orders = queue({ queue: 'orders', batchSize: 5, maxConcurrency: 1, maxAttempts: 3, backoff: { initialMs: 50, maxMs: 100 } }, async (batch, ctx) => {
  running++;
  if (running > 1) console.error('OVERLAP');
  const failed = [];
  for (const m of batch.messages) {
    if (m.body.fail) { failed.push(m.id); continue; }
    await ctx.blobs.put('handled', String(m.body.n), JSON.stringify({ attempt: m.attempt }));
    if (m.body.fanOut) await ctx.queues.send('fanned', { from: m.body.n });
  }
  await new Promise((r) => setTimeout(r, 10));
  running--;
  return { failed };
});

export const fanned = queue({ queue: 'fanned' }, async (batch, ctx) => {
  for (const m of batch.messages) await ctx.blobs.put('handled', 'fanned-' + m.body.from, ctx.invocationId);
});

export const leaky = http({ route: 'POST /leaky' }, async () => {
  throw new Error('connect postgres://app:s3cret@db.internal/shop failed');
});

export const report = http({ route: 'POST /report' }, async (req) => {
  const body = await req.json();
  return { received: body, at: Date.now() };
});
`;

describe('queue functions on a node', () => {
  let node: TestNode;
  let client: NimbusClient;
  before(async () => {
    node = await startTestNode();
    client = new NimbusClient({ url: node.url, key: node.adminKey });
    const deployed = await node.deploy('shop', { 'index.ts': APP });
    assert.equal(deployed.status, 201, JSON.stringify(deployed.body));
  });
  after(() => node.dispose());

  async function handled(key: string): Promise<boolean> {
    const res = await fetch(`${node.url}/_nimbus/api/v1/blobs/handled/${key}`, { method: 'HEAD', headers: { authorization: `Bearer ${node.adminKey}` } });
    return res.status === 200;
  }

  test('messages sent with the client run the queue function, which fans out through ctx.queues', async () => {
    const sent = await client.queue('orders').sendBatch([{ body: { n: 1 } }, { body: { n: 2, fanOut: true } }, { body: { n: 3 } }]);
    assert.equal(sent.length, 3);
    await eventually(async () => (await handled('1')) && (await handled('2')) && (await handled('3')) && (await handled('fanned-2')), 15_000, 'all handled');
    const fanned = await fetch(`${node.url}/_nimbus/api/v1/blobs/handled/fanned-2`, { headers: { authorization: `Bearer ${node.adminKey}` } });
    assert.match(await fanned.text(), INVOCATION_ID, 'a queue invocation gets a time-ordered id');
  });

  test('a message that keeps failing is retried, then dead-lettered with its last error', async () => {
    await client.queue('orders').send({ n: 99, fail: true });
    await eventually(async () => {
      const { body } = await admin(node, 'GET', '/queues');
      return body.queues.some((q: { name: string; depth: number }) => q.name === 'orders.dlq' && q.depth === 1);
    }, 15_000, 'the message in orders.dlq');
    const peek = await admin(node, 'GET', '/queues/orders.dlq/messages');
    assert.equal(peek.body.messages[0].body.n, 99);
    assert.match(JSON.stringify(peek.body.messages[0]), /reported this message as failed/);
  });

  test('dedup drops a second message with the same id and says so', async () => {
    const first = await client.queue('orders').send({ n: 5 }, { dedupId: 'order-5' });
    const second = await client.queue('orders').send({ n: 5 }, { dedupId: 'order-5' });
    assert.equal(first.duplicate, false);
    assert.equal(second.duplicate, true);
    assert.equal(second.id, first.id);
  });

  test('a producer key may send to its queues only, and may not use the admin API', async () => {
    const created = await admin(node, 'POST', '/keys', { scope: { kind: 'producer', queues: ['orders'] }, label: 'api server' });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const producer = new NimbusClient({ url: node.url, key: created.body.key });
    await producer.queue('orders').send({ n: 6 });
    await assert.rejects(producer.queue('fanned').send({ from: 0 }), (err: unknown) => err instanceof NimbusClientError && err.status === 403);
    const apps = await fetch(`${node.url}/_nimbus/api/v1/apps`, { headers: { authorization: `Bearer ${created.body.key}` } });
    assert.equal(apps.status, 403);
  });

  test('oversized and malformed messages are refused with a clear 4xx, and nothing else is lost', async () => {
    const big = await fetch(`${node.url}/_nimbus/api/v1/queues/orders/messages`, {
      method: 'POST', headers: { authorization: `Bearer ${node.adminKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ body: 'x'.repeat(300 * 1024) }),
    });
    assert.equal(big.status, 413);
    const malformed = await fetch(`${node.url}/_nimbus/api/v1/queues/orders/messages`, {
      method: 'POST', headers: { authorization: `Bearer ${node.adminKey}`, 'content-type': 'application/json' }, body: '{"body":',
    });
    assert.equal(malformed.status, 400);
    const badName = await fetch(`${node.url}/_nimbus/api/v1/queues/Bad%20Name/messages`, {
      method: 'POST', headers: { authorization: `Bearer ${node.adminKey}`, 'content-type': 'application/json' }, body: '{"body":1}',
    });
    assert.equal(badName.status, 400);
    await client.queue('orders').send({ n: 7 });
    await eventually(() => handled('7'), 15_000, 'the good message after the bad ones');
  });

  test('an HTTP function called with x-nimbus-async runs from the durable queue; its result is fetched by id', async () => {
    const res = await fetch(`${node.url}/report`, { method: 'POST', headers: { 'x-nimbus-async': '1', 'content-type': 'application/json' }, body: '{"q":1}' });
    assert.equal(res.status, 202);
    const { invocationId } = await res.json() as { invocationId: string };
    assert.match(invocationId, INVOCATION_ID);
    let record: { state: string; status: number; bodyBase64: string } | undefined;
    await eventually(async () => {
      record = await client.invocation(invocationId) as typeof record;
      return record?.state === 'succeeded';
    }, 15_000, 'the async invocation to finish');
    assert.equal(record!.status, 200);
    assert.deepEqual(JSON.parse(Buffer.from(record!.bodyBase64, 'base64').toString()).received, { q: 1 });
    const viaClient = await client.invokeAsync('shop/report', { q: 2 });
    assert.ok(viaClient.invocationId);
  });

  test("a function key reads an async invocation's record without the function's own error message; the admin key reads it whole", async () => {
    const res = await fetch(`${node.url}/leaky`, { method: 'POST', headers: { 'x-nimbus-async': '1' }, body: '' });
    assert.equal(res.status, 202);
    const { invocationId } = await res.json() as { invocationId: string };
    const created = await admin(node, 'POST', '/keys', { scope: { kind: 'function', app: 'shop' }, label: 'api server' });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const asKey = new NimbusClient({ url: node.url, key: created.body.key });
    let record: { error: string | null; status: number | null } | undefined;
    await eventually(async () => {
      record = await client.invocation(invocationId) as typeof record;
      return record?.error != null;
    }, 15_000, 'the async invocation to fail once');
    assert.match(record!.error!, /s3cret/, 'the admin key reads the message');
    const seenByKey = await asKey.invocation(invocationId) as { error: string; state: string; status: number | null };
    assert.equal(seenByKey.status, null);
    assert.equal(seenByKey.error, `the invocation failed: its logs have the details under invocation ${invocationId}`);
    assert.doesNotMatch(JSON.stringify(seenByKey), /s3cret|postgres/);
  });

  test('the id of a synchronous call has no result to fetch: the 404 says so, as it says how long asynchronous results are kept', async () => {
    const sync = await fetch(`${node.url}/report`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"q":3}' });
    assert.equal(sync.status, 200);
    const id = sync.headers.get('x-nimbus-invocation-id');
    assert.match(id ?? '', INVOCATION_ID);
    const missing = await admin(node, 'GET', `/invocations/${id}`);
    assert.equal(missing.status, 404);
    assert.deepEqual(missing.body, { error: {
      code: 'NIMBUS_ERR_INVOCATION_NOT_FOUND',
      message: `no asynchronous invocation with this id (results of asynchronous calls are kept for 24 hours by default; a synchronous call's result was its HTTP response, and is not kept): ${id}`,
    } });
  });

  test('an async call too large for one queue message is a 413 saying how much body fits, however far past it is', async () => {
    const fits = /: an asynchronous call is stored as one queue message of at most 262144 bytes with its body in base64: about 190 KiB of body, less its headers$/;
    const justPast = await fetch(`${node.url}/report`, { method: 'POST', headers: { 'x-nimbus-async': '1' }, body: 'x'.repeat(235_000) });
    assert.equal(justPast.status, 413);
    assert.match(((await justPast.json()) as { error: { message: string } }).error.message, fits);
    // Past the queue message itself (7 MiB, as curl sends a file): refused from its declared length, with the same explanation.
    const farPast = await declaredOnly(`${node.url}/report`, 7 * 1024 * 1024, { 'x-nimbus-async': '1' });
    assert.equal(farPast.status, 413);
    assert.match(farPast.message, fits);
  });

  test('async calls run the live version of their function: a redeploy changes what the queued calls run', async () => {
    const job = (answer: string) => `import { http } from 'nimbus-functions';\nexport const job = http({ route: 'POST /later-job' }, () => '${answer}');\n`;
    const resultOf = async (invocationId: string): Promise<string> => {
      let record: { state: string; bodyBase64: string } | undefined;
      await eventually(async () => {
        record = await client.invocation(invocationId) as typeof record;
        return record?.state === 'succeeded';
      }, 15_000, 'the async invocation to finish');
      return Buffer.from(record!.bodyBase64, 'base64').toString();
    };
    for (const answer of ['first', 'second']) {
      assert.equal((await node.deploy('later', { 'index.ts': job(answer) })).status, 201);
      const { invocationId } = await client.invokeAsync('later/job', {});
      assert.equal(await resultOf(invocationId), answer);
    }
  });

  test('maxConcurrency: 1 never ran two batches at once', async () => {
    const { body } = await admin(node, 'GET', '/apps/shop/logs?fn=orders&limit=1000');
    assert.ok(!body.lines.some((l: { message: string }) => l.message.includes('OVERLAP')));
  });
});

/** A POST that declares a body of `bytes` and sends none of it: the status and the error message of the answer. */
function declaredOnly(url: string, bytes: number, headers: Record<string, string>): Promise<{ status: number; message: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers: { ...headers, 'content-length': String(bytes) } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => {
        req.destroy();
        resolve({ status: res.statusCode ?? 0, message: (JSON.parse(text) as { error: { message: string } }).error.message });
      });
    });
    req.on('error', reject);
    req.flushHeaders();
  });
}
