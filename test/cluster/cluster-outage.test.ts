/**
 * PostgreSQL stopped and started under load, with three real nodes on it:
 * warm HTTP functions keep answering, sends are refused with 503 and
 * Retry-After, nothing acknowledged is lost, and everything resumes without
 * a node restart.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { eventually } from '../helpers/admin-client.js';
import { postgresUnavailable, startPostgres, type PostgresServer } from '../helpers/postgres-server.js';
import type { S3TestServer } from '../helpers/s3-server.js';
import { deployThrough, HandledMessages, startS3Server, startSharedCluster, type SharedCluster } from './support/cluster-app.js';

const skip = postgresUnavailable();

let postgres: PostgresServer;
let s3: S3TestServer;
let shared: SharedCluster;
before(async () => {
  if (skip) return;
  postgres = await startPostgres();
  s3 = await startS3Server();
  shared = await startSharedCluster(3, { s3, prefix: 'outage', store: postgres.url() });
  await deployThrough(shared.nodes[0]!, 'steady', `
import { http, queue } from 'nimbus-functions';
export const hello = http({ route: 'GET /hello' }, () => 'hello');
export const work = queue({ queue: 'jobs', batchSize: 10, maxAttempts: 100, backoff: { initialMs: 50, maxMs: 500 } }, async (batch, ctx) => {
  await ctx.blobs.put('handled', 'b/' + ctx.invocationId, JSON.stringify(batch.messages.map((m) => m.body.n)));
});
`);
});
after(async () => {
  await shared?.close();
  await s3?.remove();
  await postgres?.remove();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function send(url: string, key: string, ns: number[]): Promise<Response> {
  return fetch(`${url}/_nimbus/api/v1/queues/jobs/messages`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ messages: ns.map((n) => ({ body: { n } })) }),
  });
}

test('PostgreSQL stopped and started mid-load: warm HTTP answers, sends get 503, nothing acknowledged is lost', { skip }, async () => {
  const nodes = shared.nodes;
  const key = shared.cluster.adminKey;
  for (const node of nodes) await eventually(async () => (await fetch(`${node.url}/hello`)).status === 200, 10_000, 'the app served everywhere');

  const acknowledged = new Set<number>();
  let next = 0;
  const sendRound = async () => {
    const results = await Promise.all(nodes.map(async (node) => {
      const ns = Array.from({ length: 5 }, () => next++);
      const res = await send(node.url, key, ns);
      const body = (await res.json()) as { error?: { code: string } };
      if (res.status === 201) for (const n of ns) acknowledged.add(n);
      return { status: res.status, code: body.error?.code, retryAfter: res.headers.get('retry-after') };
    }));
    return results;
  };
  for (let i = 0; i < 5; i++) assert.ok((await sendRound()).every((r) => r.status === 201));

  await postgres.stop();
  const refused: { status: number; code: string | undefined; retryAfter: string | null }[] = [];
  for (let i = 0; i < 5; i++) {
    for (const node of nodes) {
      const res = await fetch(`${node.url}/hello`);
      assert.equal(res.status, 200, 'a warm function answers while the database is away');
      assert.equal(await res.text(), 'hello');
    }
    refused.push(...(await sendRound()));
    await sleep(100);
  }
  for (const r of refused) {
    assert.equal(r.status, 503, JSON.stringify(r));
    assert.equal(r.code, 'NIMBUS_ERR_STORE_UNAVAILABLE');
    assert.ok(Number(r.retryAfter) > 0, 'Retry-After says when to try again');
  }
  await eventually(async () => (await fetch(`${nodes[1]!.url}/_nimbus/ready`)).status === 503, 15_000, 'readiness failing while the store is away');

  await postgres.start();
  for (const node of nodes) {
    await eventually(async () => (await send(node.url, key, [-1])).status === 201, 30_000, `${node.url} taking sends again`);
    await eventually(async () => (await fetch(`${node.url}/_nimbus/ready`)).status === 200, 30_000, `${node.url} ready again`);
  }
  for (let i = 0; i < 5; i++) assert.ok((await sendRound()).every((r) => r.status === 201));

  const handled = new HandledMessages();
  let missing: number[] = [];
  await eventually(async () => {
    const numbers = await handled.read({ url: nodes[2]!.url, adminKey: key });
    missing = [...acknowledged].filter((n) => !numbers.has(n));
    return missing.length === 0;
  }, 60_000, 'every acknowledged message handled').catch((err: Error) => {
    throw new Error(`${err.message}: ${missing.length} of ${acknowledged.size} missing, e.g. ${missing.slice(0, 10).join(', ')}`);
  });
  assert.ok(acknowledged.size >= 150);
});
