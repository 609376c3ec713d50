import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemClock } from '../../../src/shared/clock.js';
import { BlobError } from '../../../src/blobs/blob-errors.js';
import type { BlobEventRecord } from '../../../src/blobs/blob-event-log.js';
import type { ObjectCommit } from '../../../src/blobs/blob-index.js';
import { LocalBlobBackend } from '../../../src/blobs/local/local-blob-backend.js';
import { PgBlobIndex } from '../../../src/store/postgres/pg-blob-index.js';
import { PgDatabase } from '../../../src/store/postgres/pg-database.js';
import { PgNotifications } from '../../../src/store/postgres/pg-notifications.js';
import { runBlobBackendContract } from '../../blobs/blob-backend.contract.js';
import { postgresUnavailable } from '../../helpers/postgres-server.js';
import { freshMigratedDatabase } from './helpers.js';

const skip = postgresUnavailable();

if (skip) {
  test('blob backend contract: local files over the PostgreSQL index', { skip }, () => {});
} else {
  runBlobBackendContract({
    name: 'local files over the PostgreSQL index',
    async open() {
      const database = await freshMigratedDatabase();
      const root = await mkdtemp(join(tmpdir(), 'nimbus-pg-blobs-'));
      const backend = await LocalBlobBackend.open({ root, index: new PgBlobIndex(database.db, systemClock) });
      return {
        backend,
        async dispose() {
          await backend.close();
          await database.close();
          await rm(root, { recursive: true, force: true });
        },
      };
    },
  });
}

/** Two nodes: each its own pool (and listener) on one database. */
async function twoNodes(t: { after(fn: () => Promise<void>): void }): Promise<[PgBlobIndex, PgBlobIndex, { listeners: PgNotifications[] }]> {
  const database = await freshMigratedDatabase();
  const otherPool = new PgDatabase(database.url, { poolSize: 4 });
  const listeners = [new PgNotifications(database.url), new PgNotifications(database.url)];
  await Promise.all(listeners.map((l) => l.start()));
  t.after(async () => {
    await Promise.all(listeners.map((l) => l.close()));
    await otherPool.close();
    await database.close();
  });
  return [
    new PgBlobIndex(database.db, systemClock, { notifications: listeners[0] }),
    new PgBlobIndex(otherPool, systemClock, { notifications: listeners[1] }),
    { listeners },
  ];
}

let nextData = 0;
function commit(bucket: string, key: string, extra: Partial<ObjectCommit> = {}): ObjectCommit {
  nextData++;
  return {
    bucket, key, dataId: nextData.toString(16).padStart(32, '0'), size: 1, etag: `"e${nextData}"`,
    contentType: 'application/octet-stream', metadata: {}, ...extra,
  };
}

test('two nodes putting the same new key with If-None-Match: * at once: exactly one wins, every time', { skip }, async (t) => {
  const [a, b] = await twoNodes(t);
  for (let round = 0; round < 25; round++) {
    const key = `race-${round}`;
    const outcomes = await Promise.allSettled([a.commitPut(commit('races', key, { ifNoneMatch: '*' })), b.commitPut(commit('races', key, { ifNoneMatch: '*' }))]);
    const won = outcomes.filter((o) => o.status === 'fulfilled');
    const lost = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
    assert.equal(won.length, 1, `round ${round}: ${outcomes.map((o) => o.status).join(', ')}`);
    assert.ok(lost[0]?.reason instanceof BlobError && lost[0].reason.code === 'NIMBUS_ERR_BLOB_PRECONDITION_FAILED', String(lost[0]?.reason));
    assert.equal((won[0] as PromiseFulfilledResult<{ eventType: string }>).value.eventType, 'created');
  }
  const events = await a.readAfter('check', 1_000);
  assert.equal(events.length, 25, 'a refused write records no event');
  assert.ok(events.every((e) => e.eventType === 'created'));
});

test('two nodes overwriting one key with If-Match on the ETag they read: no lost update', { skip }, async (t) => {
  const [a, b] = await twoNodes(t);
  await a.commitPut(commit('counter', 'n', { etag: '"0"' }));
  const bump = async (index: PgBlobIndex, times: number): Promise<number> => {
    let done = 0;
    while (done < times) {
      const current = await index.getObject('counter', 'n');
      const next = `"${Number(current!.etag.slice(1, -1)) + 1}"`;
      try {
        await index.commitPut(commit('counter', 'n', { etag: next, ifMatch: current!.etag }));
        done++;
      } catch (err) {
        if (!(err instanceof BlobError && err.code === 'NIMBUS_ERR_BLOB_PRECONDITION_FAILED')) throw err;
      }
    }
    return done;
  };
  await Promise.all([bump(a, 15), bump(b, 15)]);
  assert.equal((await b.getObject('counter', 'n'))?.etag, '"30"');
});

test('events written on both nodes at once: one log, gapless positions, per-bucket sequencers in order, cursors shared', { skip }, async (t) => {
  const [a, b] = await twoNodes(t);
  await Promise.all(Array.from({ length: 40 }, (_, n) => (n % 2 ? a : b).commitPut(commit(n % 3 ? 'left' : 'right', `k${n}`))));
  const events = await b.readAfter('fanout', 1_000);
  assert.deepEqual(events.map((e) => e.position), Array.from({ length: 40 }, (_, n) => n + 1));
  for (const bucket of ['left', 'right']) {
    const sequencers = events.filter((e) => e.bucket === bucket).map((e) => e.sequencer);
    assert.deepEqual(sequencers, [...sequencers].sort(), `${bucket}: sequencers rise with positions`);
    assert.equal(new Set(sequencers).size, sequencers.length);
  }
  await a.advance('fanout', (events[9] as BlobEventRecord).position);
  await b.advance('fanout', (events[4] as BlobEventRecord).position); // backwards: ignored
  assert.deepEqual((await b.readAfter('fanout', 5)).map((e) => e.position), [11, 12, 13, 14, 15], 'the cursor one node moved is where the other reads');
});

test('a write on one node wakes onEvent listeners on the other; a node hears its own writes once', { skip }, async (t) => {
  const [a, b] = await twoNodes(t);
  const heardOnB: string[] = [];
  const heardOnA: string[] = [];
  const offB = b.onEvent((e) => heardOnB.push(`${e.eventType}:${e.key}`));
  const offA = a.onEvent((e) => heardOnA.push(`${e.eventType}:${e.key}`));
  t.after(() => {
    offA();
    offB();
  });
  // The subscription is made in the background; wait until a write is heard.
  await waitFor(async () => {
    await a.commitPut(commit('wake', 'probe'));
    return heardOnB.length > 0;
  });
  heardOnA.length = 0;
  heardOnB.length = 0;
  await a.commitPut(commit('wake', 'k'));
  await a.commitDelete('wake', 'k', {});
  const ofK = (heard: string[]) => heard.filter((h) => h.endsWith(':k'));
  await waitFor(async () => ofK(heardOnB).length === 2);
  assert.deepEqual(ofK(heardOnB), ['created:k', 'deleted:k']);
  assert.deepEqual(ofK(heardOnA), ['created:k', 'deleted:k'], 'the writing node is not woken twice');
});

test('a delete of nothing leaves no gap in the bucket sequencers; deleteBucket waits for a write under way', { skip }, async (t) => {
  const [a, b] = await twoNodes(t);
  const first = await a.commitPut(commit('gaps', 'k'));
  assert.deepEqual(await b.commitDelete('gaps', 'absent', {}), { deleted: false, supersededDataId: null });
  const second = await a.commitPut(commit('gaps', 'k'));
  assert.equal(BigInt(`0x${second.sequencer}`) - BigInt(`0x${first.sequencer}`), 1n);
  await b.commitDelete('gaps', 'k', {});
  // Racing an emptying delete against a write: either the bucket is gone and the write made it again, or it is refused as not empty.
  const [removed, put] = await Promise.allSettled([b.deleteBucket('gaps'), a.commitPut(commit('gaps', 'late'))]);
  assert.equal(put.status, 'fulfilled');
  assert.ok(await a.bucketExists('gaps'), 'the object always has its bucket');
  if (removed.status === 'rejected') assert.equal((removed.reason as BlobError).code, 'NIMBUS_ERR_BLOB_BUCKET_NOT_EMPTY');
  assert.equal((await b.getObject('gaps', 'late'))?.key, 'late');
});

async function waitFor(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

