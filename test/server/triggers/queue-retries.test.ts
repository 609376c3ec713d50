/**
 * Queue retries through a real node: only the ids a handler names as failed
 * come back; a delayed message is never handled before it is due; a dead
 * letter that is redriven gets handled; and a batch held back because the
 * function was at its instance cap does not spend an attempt.
 *
 * Every handling leaves a durable record in blob storage, named
 * `<case>/<n>/<attempt>/<invocation id>`, so the test counts deliveries from
 * the node's own state rather than from timing.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { NimbusClient } from '../../../src/sdk/client/index.js';
import { admin, eventually } from '../../helpers/admin-client.js';
import { startTestNode, type TestNode } from '../../helpers/test-node.js';
import { blobKeys, blobText, metric, putBlob, queueStats } from './trigger-fixtures.js';

const APP = `
import { queue } from 'nimbus-functions';

const record = (ctx, name, m, extra = {}) =>
  ctx.blobs.put('handled', name + '/' + m.body.n + '/' + m.attempt + '/' + ctx.invocationId,
    JSON.stringify({ id: m.id, enqueuedAt: m.enqueuedAt, handledAt: Date.now(), ...extra }));

// Messages carrying failUntil fail every attempt before that one.
export const partial = queue({ queue: 'partial', batchSize: 10, maxBatchWaitMs: 500, maxAttempts: 5, backoff: { initialMs: 50, maxMs: 100 } }, async (batch, ctx) => {
  const failed = [];
  for (const m of batch.messages) {
    await record(ctx, 'partial', m, { batch: batch.messages.length });
    if (m.attempt < (m.body.failUntil ?? 0)) failed.push(m.id);
  }
  return { failed };
});

export const later = queue({ queue: 'later', batchSize: 1 }, async (batch, ctx) => {
  for (const m of batch.messages) await record(ctx, 'later', m);
});

// Fails until the switch object exists.
export const flaky = queue({ queue: 'flaky', batchSize: 1, maxAttempts: 2, backoff: { initialMs: 50, maxMs: 50 } }, async (batch, ctx) => {
  const fixed = await ctx.blobs.head('switches', 'flaky-fixed');
  for (const m of batch.messages) await record(ctx, 'flaky', m, { fixed: fixed !== null });
  if (!fixed) throw new Error('downstream is down');
});

// One instance taking one batch at a time, no wait queue: of 4 batches offered at once, 3 are throttled.
export const capped = queue(
  { queue: 'capped', batchSize: 1, maxBatchWaitMs: 0, maxConcurrency: 4, maxInstances: 1, concurrency: 1, queueLimit: 0 },
  async (batch, ctx) => {
    await new Promise((r) => setTimeout(r, 300));
    for (const m of batch.messages) await record(ctx, 'capped', m);
  },
);
`;

interface Handling { n: number; attempt: number; invocation: string }

/** Every recorded handling for one case. */
async function handlings(node: TestNode, name: string): Promise<Handling[]> {
  return (await blobKeys(node, 'handled', `${name}/`)).map((key) => {
    const [, n, attempt, invocation] = key.split('/');
    return { n: Number(n), attempt: Number(attempt), invocation: invocation! };
  });
}

function attemptsOf(all: Handling[], n: number): number[] {
  return all.filter((h) => h.n === n).map((h) => h.attempt).sort((a, b) => a - b);
}

describe('queue retries on a node', () => {
  let node: TestNode;
  let client: NimbusClient;
  before(async () => {
    node = await startTestNode();
    client = new NimbusClient({ url: node.url, key: node.adminKey });
    const deployed = await node.deploy('retries', { 'index.ts': APP });
    assert.equal(deployed.status, 201, JSON.stringify(deployed.body));
  });
  after(() => node.dispose());

  test('a partial batch failure retries only the ids the handler named, each once per attempt', async () => {
    // One send, so the ten arrive together and (with maxBatchWaitMs) share batches.
    const bodies = Array.from({ length: 10 }, (_, n) => ({ body: n % 4 === 0 ? { n, failUntil: 3 } : { n } }));
    await client.queue('partial').sendBatch(bodies);
    const flakyOnes = [0, 4, 8];
    await eventually(async () => {
      const all = await handlings(node, 'partial');
      return flakyOnes.every((n) => attemptsOf(all, n).includes(3));
    }, 20_000, 'the failing messages to succeed on their third attempt');
    const all = await handlings(node, 'partial');
    for (let n = 0; n < 10; n++) {
      const expected = flakyOnes.includes(n) ? [1, 2, 3] : [1];
      assert.deepEqual(attemptsOf(all, n), expected, `message ${n} was handled on attempts ${attemptsOf(all, n).join(', ')}`);
    }
    // A retry batch carries the failed ids only: no invocation on attempt 2 or 3 handled a message that had succeeded.
    const retryInvocations = new Set(all.filter((h) => h.attempt > 1).map((h) => h.invocation));
    const inRetries = all.filter((h) => retryInvocations.has(h.invocation)).map((h) => h.n);
    assert.ok(inRetries.every((n) => flakyOnes.includes(n)), `retry batches held ${inRetries.join(', ')}`);
  });

  test('a delayed message is handled only once it is due', async () => {
    const delayMs = 1_500;
    const { id } = await client.queue('later').send({ n: 1 }, { delayMs });
    const peek = await admin(node, 'GET', '/queues/later/messages');
    const waiting = peek.body.messages.find((m: { id: string }) => m.id === id);
    assert.equal(waiting?.state, 'delayed', JSON.stringify(peek.body));
    assert.equal(waiting.visibleAt - waiting.enqueuedAt, delayMs);

    await eventually(async () => (await handlings(node, 'later')).length > 0, 15_000, 'the delayed message');
    const [key] = await blobKeys(node, 'handled', 'later/');
    const record = JSON.parse((await blobText(node, 'handled', key!))!) as { id: string; enqueuedAt: number; handledAt: number };
    assert.equal(record.id, id);
    assert.equal(record.enqueuedAt, waiting.enqueuedAt);
    assert.ok(record.handledAt >= record.enqueuedAt + delayMs, `handled ${record.handledAt - record.enqueuedAt} ms after it was sent, before its ${delayMs} ms delay`);
  });

  test('a dead letter that is redriven comes back with fresh attempts and is handled', async () => {
    const { id } = await client.queue('flaky').send({ n: 1 });
    await eventually(async () => (await queueStats(node, 'flaky.dlq'))?.depth === 1, 15_000, 'the message in flaky.dlq');
    const dead = await admin(node, 'GET', '/queues/flaky.dlq/messages');
    assert.equal(dead.body.messages[0].id, id);
    assert.equal(dead.body.messages[0].attempts, 2);
    assert.match(dead.body.messages[0].lastError, /downstream is down/);
    assert.deepEqual(attemptsOf(await handlings(node, 'flaky'), 1), [1, 2]);

    assert.equal((await putBlob(node, 'switches', 'flaky-fixed', 'yes')).status, 201);
    const redrive = await admin(node, 'POST', '/queues/flaky.dlq/redrive');
    assert.deepEqual(redrive.body, { redriven: 1 });
    await eventually(async () => {
      const keys = await blobKeys(node, 'handled', 'flaky/1/');
      for (const key of keys) if (JSON.parse((await blobText(node, 'handled', key))!).fixed) return true;
      return false;
    }, 15_000, 'the redriven message handled');
    // Attempts were reset: the successful run is attempt 1 again.
    const all = await handlings(node, 'flaky');
    assert.deepEqual(attemptsOf(all, 1), [1, 1, 2]);
    const stats = await queueStats(node, 'flaky.dlq');
    assert.equal(stats?.depth ?? 0, 0);
  });

  test('a batch held back because the function was at its cap keeps its attempt count', async () => {
    await client.queue('capped').sendBatch([1, 2, 3, 4].map((n) => ({ body: { n } })));
    await eventually(async () => (await handlings(node, 'capped')).length >= 4, 30_000, 'all four capped messages handled');
    const all = await handlings(node, 'capped');
    for (const n of [1, 2, 3, 4]) assert.deepEqual(attemptsOf(all, n), [1], `message ${n}: attempts ${attemptsOf(all, n).join(', ')}`);
    // Holding back really happened: the consumer offered more batches than one instance could take.
    const throttled = await metric(node, 'nimbus_throttled_total', { app: 'retries', function: 'capped' });
    assert.ok(throttled > 0, 'no batch was throttled: the cap was never reached');
  });
});
