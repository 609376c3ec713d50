/**
 * A data folder the previous release made opens with today's store, keeps
 * every area's data, is upgraded to every area's newest schema step, and
 * takes new writes.
 *
 * How the fixture was made: the release before the cluster groundwork
 * (commit bc6d7c4, the parent of 44d0f59) was checked out with
 * `git worktree add /tmp/prev bc6d7c4`, built with `npm run build`, and a
 * throwaway script ran its `openSqliteStore(dir, clock)` with a clock fixed
 * at WRITTEN_AT (below) and wrote, through the store interfaces:
 * - apps: `shop` v1 (bundle a…, source map b…, 1234 bytes, fn checkout) and,
 *   1 s later, v2 (bundle c…, no map, 99 bytes, fns checkout and cart), live;
 *   `gone` v1, then removed;
 * - keys: `0123456789abcdef`, hash bytes 0..31, function scope of shop, label ci;
 * - secrets: shop/STRIPE_KEY = [1, 2, 3, 250, 0, 7];
 * - timers: shop/nightly (cron `0 3 * * *`, UTC, version 2) and one run
 *   claimed by node-a for WRITTEN_AT - 60 s that finished `ok`;
 * - metering: two records (a UUID id, ok, 12.5 ms; `not-a-uuid`, error `boom ✗`);
 * - logs: two lines of shop/checkout (stdout `charged 42 €`, stderr `card declined`);
 * - queues: `orders` one ready message and one delayed 24 h (dedup id o-2);
 *   `emails` one message received and dead-lettered (`mailbox full`);
 * - async results: async-1 succeeded with 201, a content-type header and a body;
 * - blobs: bucket photos, objects cats/tom.jpg and cats/é.jpg, the cursor
 *   `fanout` advanced past the first event.
 * The store was closed cleanly (no WAL left) and only the state file was
 * kept, gzipped; the checkout and the script were thrown away.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { openDatabase } from '../../../src/store/sqlite/sqlite-database.js';
import { openSqliteStore, SQLITE_SCHEMA_STEPS, STATE_FILE } from '../../../src/store/sqlite/sqlite-store.js';
import { FakeClock } from '../../helpers/fake-clock.js';
import { bucketOf, DURATION_BUCKET_COUNT } from '../../../src/metering/duration-histogram.js';
import { toInvocationRecord } from '../../../src/metering/invocation-record.js';
import { batchOf, finished } from '../../metering/events.js';
import { tempDir } from './helpers.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');
const FIXTURE = join(ROOT, 'test', 'store', 'sqlite', 'fixtures', 'previous-release-data-folder', `${STATE_FILE}.gz`);
/** The fixture's clock (2026-01-15T12:00Z); the store is opened an hour later. */
const WRITTEN_AT = Date.UTC(2026, 0, 15, 12, 0, 0);

function openFixture(t: { after(fn: () => void): void }): string {
  const tmp = tempDir();
  t.after(() => tmp.remove());
  writeFileSync(join(tmp.dir, STATE_FILE), gunzipSync(readFileSync(FIXTURE)), { mode: 0o600 });
  return tmp.dir;
}

test('a data folder of the previous release opens: every area reads back, then takes new writes', async (t) => {
  const dir = openFixture(t);
  const clock = new FakeClock(WRITTEN_AT + 3_600_000);
  const store = openSqliteStore(dir, clock);
  try {
    // Apps and versions.
    assert.deepEqual(await store.apps.list(), [{ name: 'shop', liveVersion: 2, createdAt: WRITTEN_AT, updatedAt: WRITTEN_AT + 1_000 }]);
    assert.deepEqual((await store.apps.listVersions('shop')).map((v) => [v.version, v.bundleHash[0], v.sourceMapHash?.[0] ?? null, v.bundleSize, v.functions.map((f) => f.name)]), [
      [1, 'a', 'b', 1234, ['checkout']],
      [2, 'c', null, 99, ['checkout', 'cart']],
    ]);
    assert.equal((await store.apps.listLive())[0]?.version, 2);

    // Keys and secrets.
    const key = await store.keys.get('0123456789abcdef');
    assert.deepEqual([key?.scope, key?.label, key?.createdAt, [...(key?.secretHash ?? [])]], [
      { kind: 'function', app: 'shop' }, 'ci', WRITTEN_AT + 1_000, Array.from({ length: 32 }, (_, n) => n),
    ]);
    assert.deepEqual((await store.secrets.listSealed('shop')).map((s) => [s.name, [...s.sealed]]), [['STRIPE_KEY', [1, 2, 3, 250, 0, 7]]]);

    // Timers and their runs.
    const [timer] = await store.timers.listTimers();
    assert.deepEqual([timer?.id, timer?.cron, timer?.timezone, timer?.version], ['shop/nightly', '0 3 * * *', 'UTC', 2]);
    const [run] = await store.timers.listRuns('shop/nightly', 10);
    assert.deepEqual([run?.scheduledAt, run?.nodeId, run?.outcome, run?.attempts, run?.finishedAt], [WRITTEN_AT - 60_000, 'node-a', 'ok', 1, WRITTEN_AT - 58_000]);

    // Metering and logs.
    const records = await store.metering.listRecords({ app: 'shop', limit: 10 });
    assert.deepEqual(records.map((r) => [r.id, r.functionName, r.outcome, r.error]).sort(), [
      ['11111111-1111-4111-8111-111111111111', 'checkout', 'ok', null],
      ['not-a-uuid', 'cart', 'error', 'boom ✗'],
    ]);
    assert.equal(records.find((r) => r.id === 'not-a-uuid')?.memoryMb, 256);
    const lines = await store.logs.query({ app: 'shop', limit: 10 });
    assert.deepEqual(lines.map((l) => [l.stream, l.level, l.message, l.invocationId]), [
      ['stdout', 'info', 'charged 42 €', '11111111-1111-4111-8111-111111111111'],
      ['stderr', 'error', 'card declined', null],
    ]);

    // Queues: ready, delayed and dead-lettered messages.
    const orders = await store.queues.peek('orders', 10);
    assert.deepEqual(orders.map((m) => [m.body, m.state]).sort((a, b) => String(a[1]).localeCompare(String(b[1]))), [
      [{ order: 2 }, 'delayed'], [{ order: 1 }, 'ready'],
    ]);
    const [dead] = await store.queues.peek('emails.dlq', 10);
    assert.deepEqual([dead?.body, dead?.deadLetteredFrom, dead?.lastError], [{ to: 'ann@example.com' }, 'emails', 'mailbox full']);
    const [ready] = await store.queues.receive('orders', 10, 30_000);
    assert.deepEqual(ready?.body, { order: 1 });
    await store.queues.ack([ready!.id]);

    // Async results.
    const result = await store.asyncResults.get('async-1');
    assert.deepEqual([result?.state, result?.status, result?.headers, result?.bodyBase64], [
      'succeeded', 201, [['content-type', 'application/json']], Buffer.from('{"ok":true}').toString('base64'),
    ]);

    // Blob index and events.
    const listed = await store.blobIndex.list('photos', {});
    assert.deepEqual(listed.objects.map((o) => [o.key, o.size]), [['cats/tom.jpg', 5], ['cats/é.jpg', 3]]);
    assert.deepEqual((await store.blobIndex.getObject('photos', 'cats/tom.jpg'))?.metadata, { owner: 'ann' });
    assert.deepEqual((await store.blobIndex.readAfter('fanout', 10)).map((e) => [e.key, e.eventType]), [['cats/é.jpg', 'created']], 'the cursor kept its place');

    // New writes.
    const v3 = await store.apps.createVersion('shop', { bundleHash: 'f'.repeat(64), sourceMapHash: null, bundleSize: 7, functions: [] });
    assert.equal(v3.version, 3, 'numbering goes on from the old file');
    await store.apps.remove('shop');
    assert.equal((await store.apps.createVersion('shop', { bundleHash: 'f'.repeat(64), sourceMapHash: null, bundleSize: 7, functions: [] })).version, 4);
    await store.keys.insert({ id: 'fedcba9876543210', secretHash: new Uint8Array(32), scope: { kind: 'admin' }, label: null });
    assert.equal((await store.keys.list()).length, 2);
    await store.secrets.put('shop', 'OTHER', Uint8Array.from([9]));
    assert.deepEqual((await store.secrets.list('shop')).map((s) => s.name), ['OTHER', 'STRIPE_KEY']);
    await store.asyncResults.create({ invocationId: 'async-2', app: 'shop', functionName: 'checkout' });
    assert.equal((await store.asyncResults.get('async-2'))?.state, 'queued');
    const put = await store.blobIndex.commitPut({
      bucket: 'photos', key: 'cats/new.jpg', dataId: '0'.repeat(32), size: 1, etag: '"n"', contentType: 'image/jpeg', metadata: {},
    });
    assert.equal(put.sequencer, '0000000000000003', 'the bucket sequence goes on');
    assert.deepEqual((await store.blobIndex.readAfter('fanout', 10)).map((e) => e.key), ['cats/é.jpg', 'cats/new.jpg']);
    const [sent] = await store.queues.send('orders', [{ body: { order: 3 } }]);
    assert.equal(sent?.duplicate, false);
    await store.logs.append([{ app: 'shop', functionName: 'checkout', version: 4, invocationId: null, instanceId: 'i-2', stream: 'stdout', level: 'info', time: clock.now(), message: 'after' }]);
    assert.equal((await store.logs.query({ app: 'shop', limit: 10 })).at(-1)?.message, 'after');
    // Roll-ups from before duration histograms: every bucket 0, and new invocations of the same minute add to them.
    const oldMinutes = await store.metering.listRollups({ app: 'shop', since: 0 });
    assert.ok(oldMinutes.length > 0 && oldMinutes.every((m) => m.invocations > 0 && m.durationBuckets.every((n) => n === 0)), JSON.stringify(oldMinutes));
    const { minute, functionName, invocations } = oldMinutes[0]!;
    await store.metering.writeBatch(batchOf([toInvocationRecord(finished({ app: 'shop', functionName, startedAt: minute + 1, durationMs: 12 }))]));
    const [upgraded] = (await store.metering.listRollups({ app: 'shop', since: 0 })).filter((m) => m.minute === minute && m.functionName === functionName);
    const expected = new Array<number>(DURATION_BUCKET_COUNT).fill(0);
    expected[bucketOf(12)] = 1;
    assert.deepEqual([upgraded?.invocations, upgraded?.durationBuckets], [invocations + 1, expected]);

    const next = await store.timers.claim('shop/nightly', WRITTEN_AT + 60_000, 'node-b');
    assert.deepEqual((await store.timers.listRuns('shop/nightly', 10)).map((r) => r.id).sort(), [run!.id, next!.id].sort());
  } finally {
    await store.close();
  }
});

test('opening a data folder of the previous release records every area at the newest step this release knows', async (t) => {
  const dir = openFixture(t);
  const store = openSqliteStore(dir, new FakeClock(WRITTEN_AT + 3_600_000));
  await store.close();
  const db = openDatabase(join(dir, STATE_FILE));
  try {
    const rows = db.prepare('SELECT area, version FROM nimbus_schema_versions ORDER BY area').all() as { area: string; version: number }[];
    const newest = (area: string) => Math.max(...(SQLITE_SCHEMA_STEPS[area] ?? []).map((s) => s.version));
    for (const { area, version } of rows) {
      assert.ok(area in SQLITE_SCHEMA_STEPS, `the file records area "${area}", which SQLITE_SCHEMA_STEPS does not list: add its steps there`);
      assert.equal(version, newest(area), `${area} is at its newest step`);
    }
    assert.deepEqual(rows.map((r) => r.area), Object.keys(SQLITE_SCHEMA_STEPS).sort(), 'every area with steps recorded its version');
    // The upgrade step that keeps version numbers past an app's removal carried the counter over.
    assert.deepEqual(db.prepare('SELECT app, last_version FROM app_version_counters').all().map((row) => ({ ...(row as object) })), [{ app: 'shop', last_version: 2 }]);
  } finally {
    db.close();
  }
});
