import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { QUEUE_MIGRATIONS, SqliteGroupCommit, SqliteQueueStore } from '../../../src/store/sqlite/sqlite-queue-store.js';
import { CONTRACT_NODE_ID, runQueueStoreContract } from '../queue-store.contract.js';
import { FakeClock } from '../../helpers/fake-clock.js';
import { WalSync } from '../../../src/store/sqlite/wal-sync.js';
import { countTransactions, openDatabase, tempDir } from './helpers.js';

runQueueStoreContract('sqlite', async () => {
  const tmp = tempDir();
  const db = openDatabase(join(tmp.dir, 'state.db'));
  const clock = new FakeClock();
  const store = new SqliteQueueStore(db, clock, { nodeId: CONTRACT_NODE_ID });
  return {
    store,
    clock,
    async close() {
      await store.close();
      db.close();
      tmp.remove();
    },
  };
});

test('concurrent sends, leases and acks in one tick share one transaction, and resolve only once it is committed', async () => {
  const tmp = tempDir();
  const file = join(tmp.dir, 'state.db');
  const db = openDatabase(file);
  const transactions = countTransactions(db);
  const store = new SqliteQueueStore(db, new FakeClock());
  const reader = openDatabase(file);
  const committed = (id: string) => reader.prepare('SELECT count(*) FROM queue_messages WHERE seq = ?').pluck().get(Number(id)) === 1;
  try {
    await store.send('warm', [{ body: 0 }]);
    const before = transactions.count;
    const sends = Array.from({ length: 200 }, (_, i) =>
      store.send('group', [{ body: i }]).then(([result]) => {
        // Another connection sees it: it was committed before this caller heard back.
        assert.ok(committed(result!.id), `message ${result!.id} resolved before its commit`);
        return result!;
      }),
    );
    const lease = store.receive('warm', 10, 30_000);
    const results = await Promise.all(sends);
    assert.equal((await lease).length, 1);
    assert.equal(transactions.count - before, 1, 'one transaction for 200 sends and a lease');
    assert.equal(new Set(results.map((r) => r.id)).size, 200);

    const received = await store.receive('group', 200, 30_000);
    const acks = received.map((m) => store.ack([m.id]));
    const more = store.send('group', [{ body: 'late' }]);
    await Promise.all([...acks, more]);
    assert.equal(transactions.count - before, 3, 'the lease, then 200 acks and a send together');
  } finally {
    await store.close();
    reader.close();
    db.close();
    tmp.remove();
  }
});

test('every group transaction commits at NORMAL; those with a send are then synced off the event loop, and only those', async () => {
  const tmp = tempDir();
  const db = openDatabase(join(tmp.dir, 'state.db'));
  const transactions = countTransactions(db);
  const store = new SqliteQueueStore(db, new FakeClock());
  const migrations = transactions.synchronous.length;
  const sync = WalSync.prototype.sync;
  let syncs = 0;
  WalSync.prototype.sync = function (this: WalSync) {
    syncs++;
    return sync.call(this);
  };
  try {
    const FULL = 2;
    const NORMAL = 1;
    const [a, b, c] = await store.send('q', [{ body: 1 }, { body: 2 }, { body: 3 }]);
    assert.equal(syncs, 1);
    await store.receive('q', 3, 30_000);
    await Promise.all([store.ack([a!.id]), store.release(b!.id, { countAttempt: true, error: 'x' }), store.deadLetter(c!.id, 'y')]);
    assert.equal(syncs, 1, 'leases, acks and retries acknowledge nothing: no sync');
    await Promise.all([store.ack([b!.id]), store.send('q', [{ body: 4 }])]);
    assert.equal(syncs, 2);
    assert.deepEqual(transactions.synchronous.slice(migrations), [NORMAL, NORMAL, NORMAL, NORMAL]);
    assert.equal(db.pragma('synchronous', { simple: true }), FULL, 'the connection is left as the composer set it');
  } finally {
    WalSync.prototype.sync = sync;
    await store.close();
    db.close();
    tmp.remove();
  }
});

test('on a connection that is not in WAL mode, a transaction with a send commits at the connection\'s own level (FULL)', async () => {
  const tmp = tempDir();
  const db = openDatabase(join(tmp.dir, 'state.db'));
  db.pragma('journal_mode = DELETE');
  const transactions = countTransactions(db);
  const store = new SqliteQueueStore(db, new FakeClock());
  const migrations = transactions.synchronous.length;
  try {
    const [a] = await store.send('q', [{ body: 1 }]);
    await store.receive('q', 1, 30_000);
    await store.ack([a!.id]);
    assert.deepEqual(transactions.synchronous.slice(migrations), [2, 1, 1], 'the send at FULL; the lease and the ack at NORMAL');
  } finally {
    await store.close();
    db.close();
    tmp.remove();
  }
});

test('acks asked for before the next commit share one write (one savepoint, one DELETE); a later ack starts another', async () => {
  const tmp = tempDir();
  const db = openDatabase(join(tmp.dir, 'state.db'));
  // Group writes run in savepoints: nested transactions. Counted before the store prepares its own.
  let savepoints = 0;
  const transaction = db.transaction.bind(db);
  db.transaction = ((fn: (...args: never[]) => unknown) => {
    const tx = transaction(fn);
    const counted = ((...args: never[]) => {
      if (db.inTransaction) savepoints++;
      return tx(...args);
    }) as typeof tx;
    return Object.assign(counted, { default: tx.default, deferred: tx.deferred, immediate: tx.immediate, exclusive: tx.exclusive });
  }) as typeof db.transaction;
  const store = new SqliteQueueStore(db, new FakeClock());
  try {
    await store.send('q', Array.from({ length: 50 }, (_, i) => ({ body: i })));
    const leased = await store.receive('q', 50, 30_000, { maxInFlight: 50, batchSize: 1, consumer: 'c' });
    assert.equal(leased.length, 50);
    const before = savepoints;
    // One ack per message, as batch-1 consumers finishing together ask; duplicates and strangers are harmless.
    await Promise.all([...leased.map((m) => store.ack([m.id])), store.ack([leased[0]!.id, 'nope'])]);
    assert.equal(savepoints - before, 1, 'one write for 51 acks');
    assert.deepEqual(await store.peek('q', 100), []);

    const [a, b] = await store.send('q', [{ body: 'a' }, { body: 'b' }]);
    await store.receive('q', 2, 30_000);
    const between = savepoints;
    await store.ack([a!.id]);
    await store.ack([b!.id]);
    assert.equal(savepoints - between, 2, 'an ack asked for after the commit goes into the next one');
    assert.deepEqual(await store.peek('q', 100), []);
  } finally {
    await store.close();
    db.close();
    tmp.remove();
  }
});

test('acks whose transaction could not begin fail together, and the next acks try again', async () => {
  const tmp = tempDir();
  const file = join(tmp.dir, 'state.db');
  const db = openDatabase(file);
  const store = new SqliteQueueStore(db, new FakeClock());
  // No busy timeout on this helper's connections: a held write lock fails BEGIN IMMEDIATE at once.
  const other = openDatabase(file);
  try {
    const [a, b] = await store.send('q', [{ body: 'a' }, { body: 'b' }]);
    await store.receive('q', 2, 30_000);
    other.exec('BEGIN IMMEDIATE');
    await assert.rejects(store.ack([a!.id]), /busy|locked/i);
    other.exec('COMMIT');
    await store.ack([b!.id]);
    await store.ack([a!.id]);
    assert.deepEqual(await store.peek('q', 10), []);
  } finally {
    await store.close();
    other.close();
    db.close();
    tmp.remove();
  }
});

test('a write that fails inside a group transaction fails alone; the others commit', async () => {
  const tmp = tempDir();
  const db = openDatabase(join(tmp.dir, 'state.db'));
  try {
    db.exec('CREATE TABLE t (v TEXT)');
    const insert = db.prepare('INSERT INTO t VALUES (?)');
    const group = new SqliteGroupCommit(db);
    const a = group.run(() => insert.run('a'));
    const bad = group.run(() => {
      insert.run('half-written');
      throw new Error('nope');
    });
    const c = group.run(() => insert.run('c'));
    await assert.rejects(bad, /nope/);
    await Promise.all([a, c]);
    assert.deepEqual(db.prepare('SELECT v FROM t ORDER BY rowid').pluck().all(), ['a', 'c']);
  } finally {
    db.close();
    tmp.remove();
  }
});

test('writes asked for after the connection closed are refused, not acknowledged', async () => {
  const tmp = tempDir();
  const db = openDatabase(join(tmp.dir, 'state.db'));
  const store = new SqliteQueueStore(db, new FakeClock());
  const pending = store.send('q', [{ body: 1 }]);
  db.close();
  await assert.rejects(pending, /closed/);
  tmp.remove();
});

test('messages survive closing and reopening the file', async () => {
  const tmp = tempDir();
  const file = join(tmp.dir, 'state.db');
  const clock = new FakeClock();
  let db = openDatabase(file);
  let store = new SqliteQueueStore(db, clock);
  const sent = await store.send('keep', [{ body: { a: 1 } }, { body: 'b', delayMs: 10 }, { body: 'c', dedupId: 'x' }]);
  await store.close();
  db.close();
  db = openDatabase(file);
  store = new SqliteQueueStore(db, clock);
  try {
    assert.equal((await store.send('keep', [{ body: 'c', dedupId: 'x' }]))[0]!.duplicate, true);
    assert.deepEqual((await store.peek('keep', 10)).map((m) => m.id), [sent[0]!.id, sent[2]!.id, sent[1]!.id]);
  } finally {
    await store.close();
    db.close();
    tmp.remove();
  }
});

test("a state file from the previous release (no schema versions) is upgraded in place, its messages kept", async () => {
  const tmp = tempDir();
  const db = openDatabase(join(tmp.dir, 'state.db'));
  try {
    db.exec(QUEUE_MIGRATIONS[0]!.sql);
    db.prepare("INSERT INTO queue_messages (queue, body, priority, enqueued_at, visible_at, leased) VALUES ('old', '\"kept\"', 0, 0, 0, 0)").run();
    const clock = new FakeClock();
    const store = new SqliteQueueStore(db, clock, { nodeId: 'node-a' });
    assert.equal(db.prepare("SELECT version FROM nimbus_schema_versions WHERE area = 'queues'").pluck().get(), QUEUE_MIGRATIONS.length);
    const [message] = await store.receive('old', 1, 30_000, { maxInFlight: 1 });
    assert.equal(message!.body, 'kept');
    assert.equal(await store.releaseLeasesOf('node-a'), 1, 'the new lease carries its node');
    await store.close();
  } finally {
    db.close();
    tmp.remove();
  }
});
