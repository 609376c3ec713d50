import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { admin, eventually } from '../helpers/admin-client.js';
import { startTestNode, type TestNode } from '../helpers/test-node.js';

/**
 * ctx.waitUntil in a real instance: the answer goes out at once, and the
 * invocation (its slot, its metering record, its platform calls) lasts until
 * the work settles or the deadline passes.
 */
const app = `
import { http, queue } from 'nimbus-functions';

const gateOpen = async (ctx, name) => (await ctx.blobs.head('gates', name)) !== null;

// One slot, nothing waits for it: a second call while the first still works is refused.
export const later = http({ route: 'GET /later/:gate', maxInstances: 1, concurrency: 1, queueTimeoutMs: 0 }, (req, ctx) => {
  const gate = ctx.params.gate;
  ctx.waitUntil((async () => {
    while (!(await gateOpen(ctx, gate))) await new Promise((r) => setTimeout(r, 10));
    // waitUntil from inside waitUntil work is part of the same invocation.
    ctx.waitUntil(ctx.blobs.put('gates', gate + '.done', 'done by ' + ctx.invocationId));
  })());
  return 'answered ' + ctx.invocationId;
});

export const open = http({ route: 'POST /open/:gate' }, async (req, ctx) => {
  await ctx.blobs.put('gates', ctx.params.gate, 'open');
  return 'opened';
});

export const status = http({ route: 'GET /status/:gate' }, async (req, ctx) => {
  const done = await ctx.blobs.get('gates', ctx.params.gate + '.done');
  return done ? await done.text() : 'pending';
});

export const failing = http({ route: 'GET /failing' }, (req, ctx) => {
  ctx.waitUntil(Promise.reject(new Error('the late work broke')));
  return 'still fine';
});

export const overdue = http({ route: 'GET /overdue', timeoutMs: 300 }, (req, ctx) => {
  ctx.waitUntil(new Promise(() => {}));
  return 'answered before the deadline';
});

// Throws after handing work over: the caller hears of the failure now; the work runs on inside the invocation.
export const thrower = http({ route: 'GET /thrower/:gate', maxInstances: 1, concurrency: 1, queueTimeoutMs: 0 }, (req, ctx) => {
  const gate = ctx.params.gate;
  ctx.waitUntil((async () => {
    while (!(await gateOpen(ctx, gate))) await new Promise((r) => setTimeout(r, 10));
    // A platform call: refused if the invocation had already ended.
    await ctx.blobs.put('gates', gate + '.done', 'done by ' + ctx.invocationId);
  })());
  throw new Error('the handler broke after handing work over');
});

export const consumer = queue({ queue: 'late-jobs', maxBatchWaitMs: 0 }, (batch, ctx) => {
  ctx.waitUntil(ctx.blobs.put('gates', 'queue.done', String(batch.messages[0].body)));
});
`;

interface RecordJson { id: string; functionName: string; outcome: string; error?: string | null }

describe('ctx.waitUntil', () => {
  let node: TestNode;
  before(async () => {
    node = await startTestNode();
    const deployed = await node.deploy('late', { 'index.ts': app });
    assert.equal(deployed.status, 201, JSON.stringify(deployed.body));
  });
  after(() => node.dispose());

  const records = async (fn: string): Promise<RecordJson[]> => (await admin(node, 'GET', `/invocation-records?app=late&fn=${fn}&limit=100`)).body.records;
  const recordOf = async (fn: string, id: string): Promise<RecordJson> => {
    let found: RecordJson | undefined;
    await eventually(async () => {
      found = (await records(fn)).find((r) => r.id === id);
      return found !== undefined;
    }, 15_000, `the record of ${fn} ${id}`);
    return found!;
  };

  test('the answer goes out at once; the invocation, its slot and its record end when the work settles', async () => {
    const first = await fetch(`${node.url}/later/a`);
    assert.equal(first.status, 200);
    const id = (await first.text()).replace('answered ', '');
    assert.equal(await (await fetch(`${node.url}/status/a`)).text(), 'pending', 'the work waits for its gate');

    // Its one slot is still held: the next call is refused rather than run beside it.
    const second = await fetch(`${node.url}/later/b`);
    assert.equal(second.status, 429);
    await second.text();
    assert.equal((await records('later')).some((r) => r.id === id), false, 'not metered as finished while its work runs');

    assert.equal(await (await fetch(`${node.url}/open/a`, { method: 'POST' })).text(), 'opened');
    await eventually(async () => (await (await fetch(`${node.url}/status/a`)).text()) === `done by ${id}`, 15_000, 'the late work to finish');
    const record = await recordOf('later', id);
    assert.equal(record.outcome, 'ok');

    // The slot came free with the end of the work.
    await eventually(async () => {
      const again = await fetch(`${node.url}/later/c`);
      await again.text();
      return again.status === 200;
    }, 15_000, 'the slot to come free');
    await fetch(`${node.url}/open/c`, { method: 'POST' });
  });

  test('failed work is logged with its invocation and leaves the answer and the outcome alone', async () => {
    const lines: { invocationId: string | null; message: string }[] = [];
    const stop = node.onFunctionLog((line) => lines.push(line));
    try {
      const res = await fetch(`${node.url}/failing`);
      assert.equal(await res.text(), 'still fine');
      const record = await eventually(async () => (await records('failing')).length > 0, 15_000, 'a record of failing').then(async () => (await records('failing'))[0]!);
      assert.equal(record.outcome, 'ok');
      await eventually(() => lines.some((l) => l.message.includes('the late work broke')), 15_000, 'the logged failure');
      assert.equal(lines.find((l) => l.message.includes('the late work broke'))!.invocationId, record.id);
    } finally {
      stop();
    }
  });

  test('work that outlives the deadline ends the invocation as a timeout, after the answer went out', async () => {
    const res = await fetch(`${node.url}/overdue`);
    assert.equal(res.status, 200);
    assert.equal(await res.text(), 'answered before the deadline');
    await eventually(async () => (await records('overdue')).some((r) => r.outcome === 'timeout'), 15_000, 'a timeout record of overdue');
  });

  test('a handler that throws after waitUntil fails at once; its work runs on inside the invocation, which ends as an error', async () => {
    const res = await fetch(`${node.url}/thrower/t`);
    assert.equal(res.status, 500);
    await res.text();
    // The slot is held by the work still running.
    const second = await fetch(`${node.url}/thrower/u`);
    assert.equal(second.status, 429);
    await second.text();
    assert.equal((await records('thrower')).length, 0, 'not metered as finished while its work runs');
    assert.equal(await (await fetch(`${node.url}/open/t`, { method: 'POST' })).text(), 'opened');
    await eventually(async () => (await (await fetch(`${node.url}/status/t`)).text()).startsWith('done by '), 15_000, 'the work after the throw to finish');
    const id = (await (await fetch(`${node.url}/status/t`)).text()).replace('done by ', '');
    const record = await recordOf('thrower', id);
    assert.equal(record.outcome, 'error');
    assert.match(record.error ?? '', /the handler broke after handing work over/);
  });

  test('an event handler may hand work to waitUntil too', async () => {
    const sent = await admin(node, 'POST', '/queues/late-jobs/messages', { body: 'from the queue' });
    assert.equal(sent.status, 201);
    await eventually(async () => (await (await fetch(`${node.url}/status/queue`)).text()) === 'from the queue', 15_000, 'the queue handler\'s late work');
  });
});
