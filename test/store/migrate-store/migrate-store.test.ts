/**
 * `migrateStore` moves a stopped single node's data folder into PostgreSQL
 * and S3: the previous release's fixture (data in every area) plus data
 * written by today's store read back the same through the Store interfaces
 * of the PostgreSQL store; a database that already holds Nimbus data and a
 * node that still runs are refused.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { once } from 'node:events';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { ApiKeys } from '../../../src/auth/api-keys.js';
import { SecretBox } from '../../../src/auth/secret-box.js';
import { LocalBundleStore } from '../../../src/blobs/bundles/bundle-store.js';
import { LocalBlobBackend } from '../../../src/blobs/local/local-blob-backend.js';
import { openBlobBackend, openBundleStore } from '../../../src/blobs/open-blob-storage.js';
import { writeNodeUrlFile } from '../../../src/server/node-url-file.js';
import { migrateStore } from '../../../src/store/migrate-store/migrate-store.js';
import { PgDatabase } from '../../../src/store/postgres/pg-database.js';
import { PgNotifications } from '../../../src/store/postgres/pg-notifications.js';
import { openPostgresStore } from '../../../src/store/postgres/postgres-store.js';
import { openSqliteStore, STATE_FILE } from '../../../src/store/sqlite/sqlite-store.js';
import type { Store } from '../../../src/store/store.js';
import { FakeClock } from '../../helpers/fake-clock.js';
import { freshPostgresDatabase, postgresUnavailable } from '../../helpers/postgres-server.js';
import { startS3Server } from '../../helpers/s3-server.js';
import { makeTempDir } from '../../helpers/temp-dir.js';
import { decodeManifests } from '../../../src/store/stored-manifests.js';

const skip = postgresUnavailable();
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');
const FIXTURE = join(ROOT, 'test', 'store', 'sqlite', 'fixtures', 'previous-release-data-folder', `${STATE_FILE}.gz`);
/** The fixture's clock (see previous-release-data-folder.test.ts); the migration runs an hour later. */
const WRITTEN_AT = Date.UTC(2026, 0, 15, 12, 0, 0);

function fixtureFolder(t: { after(fn: () => void): void }): string {
  const tmp = makeTempDir('nimbus-migrate-');
  t.after(() => tmp.remove());
  writeFileSync(join(tmp.dir, STATE_FILE), gunzipSync(readFileSync(FIXTURE)), { mode: 0o600 });
  return tmp.dir;
}

async function text(body: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

/** Everything the Store interfaces say about the data, for comparing two stores. */
async function readAll(store: Store, now: number): Promise<Record<string, unknown>> {
  const apps = await store.apps.list();
  const timers = await store.timers.listTimers();
  return plain({
    apps,
    versions: await Promise.all(apps.map((a) => store.apps.listVersions(a.name))),
    live: await store.apps.listLive(),
    keys: await store.keys.list(),
    storedKeys: await Promise.all((await store.keys.list()).map((k) => store.keys.get(k.id))),
    sealed: await Promise.all(apps.map((a) => store.secrets.listSealed(a.name))),
    budgets: await store.budgets.list(),
    secrets: await Promise.all(apps.map((a) => store.secrets.list(a.name))),
    timers,
    runs: await Promise.all(timers.map((tm) => store.timers.listRuns(tm.id, 100))),
    orders: await store.queues.peek('orders', 100),
    dead: await store.queues.peek('emails.dlq', 100),
    asyncResult: await store.asyncResults.get('async-1'),
    buckets: await store.blobIndex.listBuckets(),
    photos: await store.blobIndex.list('photos', {}),
    docs: await store.blobIndex.list('docs', {}),
    fanout: await store.blobIndex.readAfter('fanout', 100),
    usage: await store.metering.usage({ since: 0, by: 'function' }),
    rollups: await store.metering.listRollups({ since: 0 }),
    records: await store.metering.listRecords({ limit: 100 }),
    logs: await store.logs.query({ app: 'shop', limit: 100 }),
    now,
  });
}

/** Plain data: bytes as arrays of numbers (SQLite reads Uint8Array, pg a Buffer), no null-prototype rows. */
function plain(value: Record<string, unknown>): Record<string, unknown> {
  return JSON.parse(JSON.stringify(value, (_key, v: unknown) => (v instanceof Uint8Array ? Array.from(v) : v))) as Record<string, unknown>;
}

test('a stopped node moves into PostgreSQL and S3: every area reads back the same; a second run into the same database is refused', { skip, timeout: 120_000 }, async (t) => {
  const dir = fixtureFolder(t);
  const clock = new FakeClock(WRITTEN_AT + 3_600_000);
  const masterKey = randomBytes(32);

  // Today's store adds an app with two versions (real bundle files), a key, a secret, a blob with bytes and a message in flight.
  const store = openSqliteStore(dir, clock);
  const bundles = new LocalBundleStore(join(dir, 'bundles'));
  const v1 = await bundles.put('export const one = 1;', '.mjs');
  const map1 = await bundles.put('{"version":3,"mappings":""}', '.mjs.map');
  const v2 = await bundles.put('export const two = 2;', '.mjs');
  const settings = {
    memoryMb: 128, timeoutMs: 30_000, concurrency: 8, minInstances: 0, maxInstances: 10, idleTimeoutMs: 300_000,
    queueLimit: 100, queueTimeoutMs: 10_000, env: {}, network: 'outbound' as const, cpuShares: 1024,
  };
  await store.apps.createVersion('fresh', {
    bundleHash: v1.hash, sourceMapHash: map1.hash, bundleSize: v1.size,
    functions: [{ name: 'one', kind: 'http', settings, trigger: { route: 'GET /one' } }, { name: 'two', kind: 'http', settings, trigger: {} }],
  });
  clock.advance(1_000);
  await store.apps.createVersion('fresh', { bundleHash: v2.hash, sourceMapHash: null, bundleSize: v2.size, functions: [] });
  const key = await new ApiKeys(store.keys, clock).create({ kind: 'function', app: 'fresh' }, 'deploy');
  await store.secrets.put('fresh', 'TOKEN', new SecretBox(masterKey).seal('fresh', 'TOKEN', 's3cr3t'));
  const blobs = await LocalBlobBackend.open({ root: join(dir, 'blobs'), index: store.blobIndex, clock });
  await blobs.createBucket('docs');
  const put = await blobs.putObject('docs', 'notes/a.txt', Readable.from([Buffer.from('hello blob')]), { contentType: 'text/plain' });
  await blobs.close();
  await store.queues.send('jobs', [{ body: { job: 1 } }]);
  await store.budgets.put({ name: 'orders-db', concurrency: 20, rate: { perSecond: 12_000 / 60, burst: 50 }, adaptive: { min: 2, max: 20 } });
  await store.budgets.put({ name: 'payments-api', concurrency: 5, rate: null, adaptive: null });
  const [leased] = await store.queues.receive('jobs', 1, 60_000);
  assert.ok(leased);
  const before = await readAll(store, clock.now());
  await store.close();

  const s3 = await startS3Server();
  t.after(() => s3.remove());
  const database = await freshPostgresDatabase();
  t.after(() => database.drop());
  const lines: string[] = [];
  await migrateStore({ dataDir: dir, targetUrl: database.url, blobs: s3.config('cluster/'), progress: (line) => lines.push(line), clock });
  assert.deepEqual(lines.map((l) => l.split(':')[0]), ['bundles', 'apps', 'keys', 'secrets', 'budgets', 'timers', 'queues', 'async results', 'blobs', 'metering', 'logs']);
  assert.match(lines[0]!, /^bundles: 3 files copied to .* \(3 not in the data folder\)$/, 'the fixture names bundle files it never had');
  assert.match(lines.find((l) => l.startsWith('queues'))!, /1 in flight made ready/);
  assert.equal(lines.find((l) => l.startsWith('budgets')), 'budgets: 2 budgets');
  assert.match(lines.find((l) => l.startsWith('blobs'))!, /3 objects, 10 bytes copied .* \(2 without data/);

  const db = new PgDatabase(database.url);
  const notifications = new PgNotifications(database.url);
  await notifications.start();
  const target = await openPostgresStore(db, notifications, clock, 'node-b');
  const cache = makeTempDir('nimbus-migrated-node-');
  t.after(() => cache.remove());
  try {
    assert.deepEqual(await readAll(target, clock.now()), before);
    // The file holds one form of each version's manifests (the plain array for those stored before the compact
    // form); the cluster's database holds both, since nodes of the earlier release read the plain array.
    const versions = await db.query<{ functions: string | null; manifests: string | null }>('SELECT functions, manifests FROM app_versions');
    assert.equal(versions.length, 4);
    for (const { functions, manifests } of versions) {
      assert.ok(functions !== null && manifests !== null);
      assert.deepEqual(JSON.parse(functions), decodeManifests(manifests));
    }

    // The key verifies with the secret it was made with; the secret opens with the old master key.
    assert.deepEqual(await new ApiKeys(target.keys, clock).verify(key.key), { kind: 'function', app: 'fresh' });
    const [sealed] = await target.secrets.listSealed('fresh');
    assert.equal(new SecretBox(masterKey).open('fresh', 'TOKEN', sealed!.sealed), 's3cr3t');

    // The message in flight on the stopped node is ready on the cluster, its attempt counted.
    const [job] = await target.queues.peek('jobs', 10);
    assert.deepEqual([job?.id, job?.state, job?.attempts], [leased.id, 'ready', 1]);
    const [sent] = await target.queues.send('jobs', [{ body: { job: 2 } }]);
    assert.ok(Number(sent!.id) > Number(leased.id), 'message ids go on past the old ones');

    // Numbering goes on: versions, log lines, timer runs.
    assert.equal((await target.apps.createVersion('fresh', { bundleHash: v2.hash, sourceMapHash: null, bundleSize: v2.size, functions: [] })).version, 3);
    const [line] = await target.logs.append([{ app: 'shop', functionName: 'checkout', version: 2, invocationId: null, instanceId: 'i', stream: 'stdout', level: 'info', time: clock.now(), message: 'after' }]);
    assert.ok(line!.seq > Math.max(...(before['logs'] as { seq: number }[]).map((l) => l.seq)));

    // Blob bytes are in S3 under the index's etag; bundles are in the shared bundle store.
    const backend = await openBlobBackend(s3.config('cluster/'), { dataDir: cache.dir, index: target.blobIndex, clock });
    try {
      const got = await backend.getObject('docs', 'notes/a.txt');
      assert.equal(got.meta.etag, put.etag);
      assert.equal(await text(got.body), 'hello blob');
    } finally {
      await backend.close();
    }
    const shared = await openBundleStore(s3.config('cluster/'), { dataDir: cache.dir });
    try {
      assert.equal(await readFile(await shared.local(v1.hash, '.mjs'), 'utf8'), 'export const one = 1;');
      assert.equal(await readFile(await shared.local(map1.hash, '.mjs.map'), 'utf8'), '{"version":3,"mappings":""}');
    } finally {
      await shared.close();
    }
  } finally {
    await target.close();
    await notifications.close();
  }

  await assert.rejects(
    migrateStore({ dataDir: dir, targetUrl: database.url, blobs: s3.config('cluster/'), progress: () => {}, clock }),
    /already holds Nimbus data \(apps, app_versions, .*\): migrate into an empty database/,
  );
});

test('a node that still answers at the URL its data folder records is refused', { skip }, async (t) => {
  const dir = fixtureFolder(t);
  const server = createServer((_req, res) => res.end('ok'));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.after(() => server.close());
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  writeNodeUrlFile(dir, url);
  const database = await freshPostgresDatabase();
  t.after(() => database.drop());
  await assert.rejects(
    migrateStore({ dataDir: dir, targetUrl: database.url, blobs: { kind: 'file' }, progress: () => {} }),
    { message: `the node of ${dir} is running at ${url}: stop it first` },
  );
});

test('with local blobs the rows move and the bytes stay in the data folder; a URL file left by a stopped node is no obstacle', { skip }, async (t) => {
  const dir = fixtureFolder(t);
  writeNodeUrlFile(dir, 'http://127.0.0.1:9'); // nothing listens on the discard port
  const database = await freshPostgresDatabase();
  t.after(() => database.drop());
  const lines: string[] = [];
  await migrateStore({ dataDir: dir, targetUrl: database.url, blobs: { kind: 'file' }, progress: (line) => lines.push(line) });
  assert.equal(lines[0], 'bundles: stay in the data folder (local blobs)');
  assert.match(lines.find((l) => l.startsWith('blobs'))!, /2 objects \(bytes stay in the data folder\)/);
});
