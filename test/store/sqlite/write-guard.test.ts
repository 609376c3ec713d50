import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { NimbusError } from '../../../src/shared/errors.js';
import type { NewKeyRecord } from '../../../src/store/key-store.js';
import { openSqlite } from '../../../src/store/sqlite/open-sqlite.js';
import { SqliteKeyStore } from '../../../src/store/sqlite/sqlite-key-store.js';
import { SqliteQueueStore } from '../../../src/store/sqlite/sqlite-queue-store.js';
import { guardWrites, type SqliteWriteGuard } from '../../../src/store/sqlite/write-guard.js';
import { StorageHealth } from '../../../src/store/storage-health.js';
import { FakeClock } from '../../helpers/fake-clock.js';
import { CONTRACT_NODE_ID, runQueueStoreContract } from '../queue-store.contract.js';
import { tempDir } from './helpers.js';

const silent = { error() {}, info() {} };

/** A queue store on a guarded connection, the way a node opens its state, with the guard's calls counted. */
function guardedQueues() {
  const tmp = tempDir();
  const dataDir = join(tmp.dir, 'data');
  const file = join(dataDir, 'state.sqlite');
  const db = openSqlite(file);
  const clock = new FakeClock();
  const health = new StorageHealth({ dataDir, clock, log: silent });
  const inner = health.watchStateFile(file);
  const calls = { beforeWrite: 0, afterCommit: 0 };
  const counted: SqliteWriteGuard = {
    beforeWrite: () => { calls.beforeWrite++; inner.beforeWrite(); },
    afterCommit: (faulted) => { calls.afterCommit++; inner.afterCommit(faulted); },
    fault: (error) => inner.fault(error),
    unsynced: (error) => inner.unsynced(error),
  };
  guardWrites(db, counted);
  const queues = new SqliteQueueStore(db, clock, { nodeId: CONTRACT_NODE_ID });
  return {
    db, dataDir, file, clock, health, calls, queues,
    async close() {
      await queues.close().catch(() => undefined);
      db.close();
      tmp.remove();
    },
  };
}

async function rejection(promise: Promise<unknown>): Promise<NimbusError> {
  const error = await promise.then(() => assert.fail('expected a rejection'), (e: unknown) => e);
  assert.ok(error instanceof NimbusError, `a NimbusError, got ${String(error)}`);
  return error;
}

runQueueStoreContract('sqlite behind the write guard', async () => {
  const g = guardedQueues();
  return { store: g.queues, clock: g.clock, close: () => g.close() };
});

test('a group commit of many sends costs one identity check; reads cost none', async (t) => {
  const g = guardedQueues();
  t.after(() => g.close());
  await g.queues.send('warm', [{ body: 0 }]);
  const before = { ...g.calls };
  await Promise.all(Array.from({ length: 200 }, (_, i) => g.queues.send('batch', [{ body: i }])));
  assert.equal(g.calls.afterCommit - before.afterCommit, 1, 'one check after the one commit of 200 sends');

  const afterWrites = { ...g.calls };
  await g.queues.peek('batch', 10);
  await g.queues.listQueues();
  await g.queues.nextVisibleAt('batch');
  assert.deepEqual(g.calls, afterWrites, 'reads go through untouched');
});

test('once the data folder is gone, writes are refused (even ones already committed to the unlinked file) and reads go on', async (t) => {
  const g = guardedQueues();
  t.after(() => g.close());
  const [kept] = await g.queues.send('orders', [{ body: 'before' }]);

  rmSync(g.dataDir, { recursive: true, force: true });
  // SQLite still writes happily into the unlinked file; the check after the commit refuses to acknowledge it.
  const refused = await rejection(g.queues.send('orders', [{ body: 'after' }]));
  assert.equal(refused.code, 'NIMBUS_ERR_STORE_UNAVAILABLE');
  assert.equal(refused.status, 503);
  assert.equal(g.health.status().lost, true);
  // From now on it is refused before anything is written.
  const again = await rejection(g.queues.send('orders', [{ body: 'later' }]));
  assert.equal(again.code, 'NIMBUS_ERR_STORE_UNAVAILABLE');
  await rejection(g.queues.receive('orders', 1, 30_000));

  const peeked = await g.queues.peek('orders', 10);
  assert.ok(peeked.some((m) => m.id === kept!.id), 'what was acknowledged before can still be read');
  assert.ok((await g.queues.listQueues()).some((q) => q.name === 'orders'));
});

test('SQLITE_FULL is a 507 that passes: the next write after room is made succeeds and ends the fault', async (t) => {
  const g = guardedQueues();
  t.after(() => g.close());
  await g.queues.send('jobs', [{ body: 'first' }]);
  // The database may not grow: SQLite answers SQLITE_FULL exactly as on a full disk.
  const pages = g.db.pragma('page_count', { simple: true }) as number;
  g.db.pragma(`max_page_count = ${pages}`);
  const full = await rejection(g.queues.send('jobs', [{ body: 'x'.repeat(200_000) }]));
  assert.equal(full.code, 'NIMBUS_ERR_STORAGE_FULL');
  assert.equal(full.status, 507);
  assert.deepEqual(g.health.status().faults.map((f) => `${f.area}:${f.kind}`), ['state:full']);
  assert.equal((await g.queues.peek('jobs', 10)).length, 1, 'reads work on a full disk');

  g.db.pragma(`max_page_count = ${pages * 1000}`);
  await g.queues.send('jobs', [{ body: 'x'.repeat(200_000) }]);
  assert.equal(g.health.status().healthy, true);
  assert.deepEqual(g.health.errorCounts(), [{ area: 'state', kind: 'full', count: 1 }]);
});

test('plain statements and transactions outside the group commit are guarded too (key writes)', async (t) => {
  const g = guardedQueues();
  t.after(() => g.close());
  const keys = new SqliteKeyStore(g.db, g.clock);
  const record: NewKeyRecord = { id: 'k1', secretHash: Buffer.alloc(32), scope: { kind: 'admin' }, label: null };
  await keys.insert(record);
  assert.ok(await keys.get('k1'));
  rmSync(g.dataDir, { recursive: true, force: true });
  // The first write after the loss commits into the unlinked file and is refused after the fact;
  // once the loss is known, writes are refused before anything is written.
  const refused = await rejection(keys.insert({ ...record, id: 'k2' }));
  assert.equal(refused.code, 'NIMBUS_ERR_STORE_UNAVAILABLE');
  const before = await rejection(keys.insert({ ...record, id: 'k3' }));
  assert.equal(before.code, 'NIMBUS_ERR_STORE_UNAVAILABLE');
  assert.equal(await keys.get('k3'), undefined);
  assert.ok(await keys.get('k1'), 'reads still work');
  const removal = await rejection(keys.remove('k1'));
  assert.equal(removal.code, 'NIMBUS_ERR_STORE_UNAVAILABLE');
  assert.ok(await keys.get('k1'));
});

test('the state file and its -wal and -shm are created readable by the owner only', async (t) => {
  const g = guardedQueues();
  t.after(() => g.close());
  await g.queues.send('q', [{ body: 1 }]);
  for (const suffix of ['', '-wal', '-shm']) {
    assert.equal(statSync(g.file + suffix).mode & 0o777, 0o600, `state.sqlite${suffix}`);
  }
});
