/**
 * End to end: a real single node on SQLite serves an app with a secret; it
 * is stopped, `nimbus migrate-store` moves its folder into PostgreSQL and
 * S3, and a node started with --store/--blobs and the old node's keys
 * serves the same app, live version and secret.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { admin, eventually } from '../helpers/admin-client.js';
import { startCluster, type TestCluster } from '../helpers/cluster.js';
import { freshPostgresDatabase, postgresUnavailable } from '../helpers/postgres-server.js';
import { runNimbus } from '../cli/support/run-cli.js';
import { blobsUrl, deployThrough, startS3Server } from './support/cluster-app.js';

const skip = postgresUnavailable();
const app = (answer: string) => `
import { http } from 'nimbus-functions';
export const hello = http({ route: 'GET /hello' }, () => ({ answer: '${answer}', token: process.env.TOKEN ?? null }));
`;

test('a single node stopped, migrated with nimbus migrate-store, serves the same app from PostgreSQL and S3', { skip, timeout: 180_000 }, async (t) => {
  const keys = { NIMBUS_ADMIN_KEY: `nbk_admin_${randomBytes(16).toString('hex')}`, NIMBUS_MASTER_KEY: randomBytes(32).toString('hex') };
  const s3 = await startS3Server();
  t.after(() => s3.remove());
  const database = await freshPostgresDatabase();
  t.after(() => database.drop());
  const blobs = blobsUrl(s3, 'migrated');
  const aws = { AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER' };

  const single: TestCluster = await startCluster({ nodes: 1, env: keys });
  t.after(() => single.close());
  const old = { url: single.urls()[0]!, adminKey: keys.NIMBUS_ADMIN_KEY };
  await deployThrough(old, 'greet', app('one'));
  await deployThrough(old, 'greet', app('two'));
  assert.equal((await admin(old, 'PUT', '/apps/greet/secrets/TOKEN', { value: 's3cr3t' })).status < 300, true);
  const dataDir = single.node(0).dataDir;
  const migrate = () => runNimbus(['migrate-store', '--data', dataDir, '--to', database.url, '--blobs', blobs], { cwd: dataDir, env: aws });

  const refused = await migrate();
  assert.equal(refused.code, 1);
  assert.equal(refused.stderr.trim(), `nimbus: the node of ${dataDir} is running at ${old.url}: stop it first`);

  await single.kill(0, 'SIGTERM');
  const moved = await migrate();
  assert.equal(moved.code, 0, moved.stderr);
  assert.match(moved.stdout, /^bundles: 4 files copied to s3:\/\/nimbus-test\/migrated\/ /m);
  assert.match(moved.stdout, /^apps: 1 app, 2 versions, 1 version counter$/m);
  assert.match(moved.stdout, /^secrets: 1 secret, /m);
  assert.ok(!moved.stdout.includes(new URL(database.url).password || '\0'), 'the password is never printed');

  const cluster = await startCluster({ nodes: 1, store: database.url, blobs, env: { ...keys, ...aws } });
  t.after(() => cluster.close());
  const url = cluster.urls()[0]!;
  let last = '';
  await eventually(async () => {
    const res = await fetch(`${url}/hello`);
    last = `${res.status} ${await res.text()}`;
    return last === '200 {"answer":"two","token":"s3cr3t"}';
  }, 20_000, 'the migrated app answering').catch((err: Error) => {
    throw new Error(`${err.message} (last answer: ${last})`);
  });
  const versions = await admin({ url, adminKey: keys.NIMBUS_ADMIN_KEY }, 'GET', '/apps/greet/versions');
  assert.deepEqual((versions.body.versions as { version: number }[]).map((v) => v.version), [1, 2]);
});
