/**
 * Three real nodes on one PostgreSQL database and one S3 server: any node
 * serves an app deployed through another, and a new version reaches every
 * node by notification, not by a restart.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { admin, eventually } from '../helpers/admin-client.js';
import { postgresUnavailable } from '../helpers/postgres-server.js';
import { deployThrough, startS3Server, startSharedCluster, type SharedCluster } from './support/cluster-app.js';
import type { S3TestServer } from '../helpers/s3-server.js';

const skip = postgresUnavailable();
const app = (answer: string) => `
import { http } from 'nimbus-functions';
export const hello = http({ route: 'GET /hello' }, () => ({ answer: '${answer}' }));
`;

let s3: S3TestServer;
let shared: SharedCluster;
before(async () => {
  if (skip) return;
  s3 = await startS3Server();
  shared = await startSharedCluster(3, { s3, prefix: 'deploys' });
});
after(async () => {
  await shared?.close();
  await s3?.remove();
});

async function answerOf(url: string): Promise<string | number> {
  const res = await fetch(`${url}/hello`);
  return res.status === 200 ? ((await res.json()) as { answer: string }).answer : res.status;
}

test('every node serves an app deployed through one, and follows a new version and a rollback', { skip }, async () => {
  const [a, b, c] = shared.nodes;
  await deployThrough(a!, 'greet', app('one'));
  for (const node of [a!, b!, c!]) await eventually(async () => (await answerOf(node.url)) === 'one', 10_000, `${node.url} serving version 1`);

  await deployThrough(b!, 'greet', app('two'));
  for (const node of [a!, b!, c!]) await eventually(async () => (await answerOf(node.url)) === 'two', 10_000, `${node.url} serving version 2`);

  const rolled = await admin(c!, 'POST', '/apps/greet/rollback', {});
  assert.equal(rolled.status, 200, JSON.stringify(rolled.body));
  for (const node of [a!, b!, c!]) await eventually(async () => (await answerOf(node.url)) === 'one', 10_000, `${node.url} back on version 1`);
});

test('every node lists the others as alive', { skip }, async () => {
  for (const node of shared.nodes) {
    const { status, body } = await admin(node, 'GET', '/nodes');
    assert.equal(status, 200);
    const nodes = body.nodes as { state: string; address: string }[];
    assert.equal(nodes.filter((n) => n.state === 'alive').length, 3, JSON.stringify(nodes));
  }
});

test('a secret set through one node reaches the instances of every node', { skip }, async () => {
  const [a, b, c] = shared.nodes;
  await deployThrough(a!, 'env', `
import { http } from 'nimbus-functions';
export const show = http({ route: 'GET /env' }, () => ({ token: process.env.TOKEN ?? null }));
`);
  const set = await admin(b!, 'PUT', '/apps/env/secrets/TOKEN', { value: 's3cr3t' });
  assert.ok(set.status < 300, JSON.stringify(set.body));
  for (const [i, node] of [a!, b!, c!].entries()) {
    let last = '';
    await eventually(async () => {
      const res = await fetch(`${node.url}/env`);
      last = `${res.status} ${await res.text()}`;
      return res.status === 200 && (JSON.parse(last.slice(4)) as { token: string | null }).token === 's3cr3t';
    }, 10_000, `node ${i} seeing the secret`).catch((err: Error) => {
      throw new Error(`${err.message} (last answer: ${last})`);
    });
  }
});
