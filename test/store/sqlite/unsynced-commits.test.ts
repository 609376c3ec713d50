import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { UnsyncedCommits } from '../../../src/store/sqlite/unsynced-commits.js';
import { guardWrites } from '../../../src/store/sqlite/write-guard.js';
import { SqliteLogStore } from '../../../src/store/sqlite/sqlite-log-store.js';
import { SqliteMeteringStore } from '../../../src/store/sqlite/sqlite-metering-store.js';
import { toInvocationRecord } from '../../../src/metering/invocation-record.js';
import type { FunctionLogLine } from '../../../src/runtime/lifecycle.js';
import { FakeClock } from '../../helpers/fake-clock.js';
import { batchOf, finished } from '../../metering/events.js';
import { countTransactions, openDatabase, tempDir } from './helpers.js';

const FULL = 2;
const NORMAL = 1;

function level(db: ReturnType<typeof openDatabase>): number {
  return Number(db.pragma('synchronous', { simple: true }));
}

for (const guarded of [false, true]) {
  test(`writes run at NORMAL and the connection goes back to its own level, also after a failure and on every later run${guarded ? ' (a connection with the write guard, as a node opens it)' : ''}`, async () => {
    const tmp = tempDir();
    const db = openDatabase(join(tmp.dir, 'state.db'));
    // The guard asks SQLite whether each statement writes (an EXPLAIN, which compiles the pragma again).
    if (guarded) guardWrites(db, { beforeWrite: () => {}, afterCommit: () => {}, fault: (error) => error, unsynced: (error) => error });
    try {
      const unsynced = UnsyncedCommits.for(db);
      assert.equal(level(db), FULL, 'making it changes nothing: no level statement is prepared ahead');
      // Several rounds: each level's statement is prepared once and must still act when run again.
      for (let round = 0; round < 3; round++) {
        assert.equal(unsynced.run(() => level(db)), NORMAL);
        assert.equal(level(db), FULL);
        assert.throws(() => unsynced.run(() => { throw new Error('write failed'); }), /write failed/);
        assert.equal(level(db), FULL, 'restored after a failed write');
      }
      db.pragma('synchronous = NORMAL');
      assert.equal(unsynced.run(() => level(db)), NORMAL);
      assert.equal(level(db), NORMAL, 'a connection already at NORMAL stays there');
      db.pragma('synchronous = EXTRA');
      assert.equal(unsynced.run(() => level(db)), NORMAL);
      assert.equal(level(db), 3, 'whatever the level was, it comes back');
    } finally {
      db.close();
      tmp.remove();
    }
  });
}

test('function log lines and metering batches commit without an fsync; the connection is left FULL for queues', async () => {
  const tmp = tempDir();
  const db = openDatabase(join(tmp.dir, 'state.db'));
  const transactions = countTransactions(db);
  try {
    const clock = new FakeClock(Date.UTC(2026, 0, 1));
    const logs = new SqliteLogStore(db, clock);
    const metering = new SqliteMeteringStore(db, clock);
    const migrations = transactions.synchronous.length;
    const line: FunctionLogLine = { app: 'a', functionName: 'f', version: 1, invocationId: 'i', instanceId: 'x', stream: 'stdout', level: 'info', time: clock.now(), message: 'hello' };
    await logs.append([line, { ...line, message: 'again' }]);
    await metering.writeBatch(batchOf([toInvocationRecord(finished({ id: 'one' }))]));
    assert.deepEqual(transactions.synchronous.slice(migrations), [NORMAL, NORMAL]);
    assert.equal(level(db), FULL);
    assert.deepEqual((await logs.query({ app: 'a', limit: 10 })).map((l) => l.message).sort(), ['again', 'hello']);
  } finally {
    db.close();
    tmp.remove();
  }
});
