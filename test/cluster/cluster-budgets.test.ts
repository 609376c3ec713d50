/**
 * One downstream budget holds for two nodes on one PostgreSQL store: each
 * node leases a share, and a downstream server in the test counts how many
 * calls reach it at once. Budget changes reach the other node through the
 * change feed.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { eventually } from '../helpers/admin-client.js';
import { freshPostgresDatabase, postgresUnavailable, type FreshDatabase } from '../helpers/postgres-server.js';
import type { S3TestServer } from '../helpers/s3-server.js';
import { startTestNode, type TestNode } from '../helpers/test-node.js';
import { budget, MemoryBudgetStore } from '../budgets/memory-budget-store.js';
import { SlowDownstream } from '../budgets/slow-downstream.js';
import { blobsUrl, deployThrough, startS3Server } from './support/cluster-app.js';

const skip = postgresUnavailable();
const LIMIT = 4;

let database: FreshDatabase;
let s3: S3TestServer;
const downstream = new SlowDownstream({ latencyMs: 60 });
// Stands in for the budgets table both nodes read (the control plane's store).
const budgets = new MemoryBudgetStore();
const nodes: TestNode[] = [];

before(async () => {
  if (skip) return;
  const url = await downstream.start();
  database = await freshPostgresDatabase();
  s3 = await startS3Server();
  await budgets.put(budget('db', LIMIT));
  for (let i = 0; i < 2; i++) {
    nodes.push(await startTestNode({ store: database.url, blobs: blobsUrl(s3, 'budgets'), budgetStore: budgets }));
  }
  await deployThrough(nodes[0]!, 'shop', `
import { http } from 'nimbus-functions';
export const call = http({ route: 'POST /call', uses: ['db'], concurrency: 8, queueTimeoutMs: 30000 }, async () => {
  const res = await fetch('${url}/?who=call');
  return { status: res.status };
});
`);
});
after(async () => {
  for (const node of nodes) await node.dispose();
  await database?.drop();
  await s3?.remove();
  await downstream.close();
});

test(`a budget of ${LIMIT} holds for two nodes together: the downstream never sees more`, { skip }, async () => {
  const [a, b] = nodes as [TestNode, TestNode];
  await eventually(async () => (await fetch(`${b.url}/call`, { method: 'POST' })).status === 200, 15_000, 'the app live on the second node');
  downstream.reset();
  const calls = [a, b].flatMap((node) => Array.from({ length: 16 }, () => fetch(`${node.url}/call`, { method: 'POST' })));
  const statuses = await Promise.all(calls.map(async (c) => (await c).status));
  assert.deepEqual(statuses, new Array(32).fill(200));
  assert.equal(downstream.served, 32);
  assert.ok(downstream.maxInFlight <= LIMIT, `the downstream saw ${downstream.maxInFlight} at once`);
  // Shares follow demand: idle, each node keeps only a little headroom, so the other can have the rest.
  await eventually(() => [a, b].every((n) => n.budgets.states()[0]!.inUse === 0), 10_000, 'every permit back');
});

test('a budget change made through one node reaches the other through the change feed', { skip }, async () => {
  const [a, b] = nodes as [TestNode, TestNode];
  await budgets.put(budget('db', 2));
  await a.budgets.changed('db');
  assert.equal(a.budgets.states()[0]!.limit, 2);
  await eventually(() => b.budgets.states()[0]?.limit === 2, 10_000, 'the second node to follow');
  downstream.reset();
  const calls = [a, b].flatMap((node) => Array.from({ length: 6 }, () => fetch(`${node.url}/call`, { method: 'POST' })));
  for (const c of await Promise.all(calls)) assert.equal(c.status, 200);
  assert.ok(downstream.maxInFlight <= 2, `the downstream saw ${downstream.maxInFlight} at once`);
});
