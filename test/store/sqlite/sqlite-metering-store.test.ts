import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../../../src/store/sqlite/sqlite-database.js';
import { SqliteMeteringStore } from '../../../src/store/sqlite/sqlite-metering-store.js';
import { runMeteringStoreContract } from '../metering-store.contract.js';
import { toInvocationRecord } from '../../../src/metering/invocation-record.js';
import { FakeClock } from '../../metering/fake-clock.js';
import { batchOf, finished } from '../../metering/events.js';

runMeteringStoreContract('SqliteMeteringStore', async (clock) => {
  const dir = mkdtempSync(join(tmpdir(), 'nimbus-metering-'));
  const db = openDatabase(join(dir, 'state.db'));
  db.pragma('journal_mode = WAL');
  const store = new SqliteMeteringStore(db, clock);
  // Another process's connection to the same file.
  const otherDb = openDatabase(join(dir, 'state.db'));
  return {
    store,
    second: new SqliteMeteringStore(otherDb, clock),
    close: async () => {
      otherDb.close();
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

test('a database with one row per record (the layout before batches) keeps its records, moved into batches', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'nimbus-metering-legacy-'));
  try {
    const file = join(dir, 'state.db');
    const legacy = openDatabase(file);
    legacy.exec(`CREATE TABLE metering_invocations (
      seq INTEGER PRIMARY KEY, id TEXT NOT NULL, app TEXT NOT NULL, function_name TEXT NOT NULL, version INTEGER NOT NULL,
      trigger TEXT NOT NULL, admitted_at INTEGER NOT NULL, started_at INTEGER NOT NULL, duration_ms REAL NOT NULL,
      billed_ms INTEGER NOT NULL, memory_mb INTEGER NOT NULL, gb_seconds REAL NOT NULL, cpu_ms REAL NOT NULL,
      peak_memory_bytes INTEGER NOT NULL, cold_start INTEGER NOT NULL, cold_start_ms REAL, outcome TEXT NOT NULL, error TEXT)`);
    const insert = legacy.prepare('INSERT INTO metering_invocations VALUES (NULL, ?, ?, ?, 1, ?, ?, ?, ?, ?, 256, ?, ?, ?, ?, ?, ?, ?)');
    legacy.transaction(() => {
      for (let i = 0; i < 2500; i++) {
        const billed = i + 1;
        insert.run(`inv-${i}`, 'shop', i % 2 ? 'cart' : 'checkout', 'http', 1000 + i, 1001 + i, billed - 0.5, billed, (256 / 1024) * (billed / 1000), 0.25, 1e6, i === 0 ? 1 : 0, i === 0 ? 12.5 : null, i === 7 ? 'error' : 'ok', i === 7 ? 'boom' : null);
      }
    })();
    legacy.close();

    const db = openDatabase(file);
    try {
      const store = new SqliteMeteringStore(db, new FakeClock(Date.UTC(2026, 0, 1)));
      const newest = await store.listRecords({ limit: 3 });
      assert.deepEqual(newest.map((r) => r.id), ['inv-2499', 'inv-2498', 'inv-2497']);
      const checkout = await store.listRecords({ app: 'shop', functionName: 'checkout', limit: 2000 });
      assert.equal(checkout.length, 1250);
      const first = checkout.at(-1)!;
      assert.deepEqual(
        { id: first.id, coldStart: first.coldStart, coldStartMs: first.coldStartMs, billedMs: first.billedMs, gbSeconds: first.gbSeconds, memoryMb: first.memoryMb },
        { id: 'inv-0', coldStart: true, coldStartMs: 12.5, billedMs: 1, gbSeconds: (256 / 1024) * (1 / 1000), memoryMb: 256 },
      );
      const failed = (await store.listRecords({ app: 'shop', functionName: 'cart', limit: 2000 })).find((r) => r.id === 'inv-7');
      assert.deepEqual([failed?.outcome, failed?.error], ['error', 'boom']);
      assert.equal((db.prepare("SELECT COUNT(*) AS n FROM sqlite_master WHERE name = 'metering_invocations'").get() as { n: number }).n, 0);
    } finally {
      db.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('filtered reads skip batches without the function and page across batches newest first', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'nimbus-metering-batches-'));
  const db = openDatabase(join(dir, 'state.db'));
  try {
    const store = new SqliteMeteringStore(db, new FakeClock(Date.UTC(2026, 0, 1)));
    const at = (id: string, functionName: string, app = 'shop') => toInvocationRecord(finished({ id, app, functionName }));
    await store.writeBatch(batchOf([at('a1', 'cart'), at('b1', 'checkout')]));
    await store.writeBatch(batchOf([at('c1', 'other', 'blog'), at('c2', 'other', 'blog')]));
    await store.writeBatch(batchOf([at('a2', 'cart'), at('a3', 'cart')]));
    assert.deepEqual((await store.listRecords({ app: 'shop', functionName: 'cart', limit: 10 })).map((r) => r.id), ['a3', 'a2', 'a1']);
    assert.deepEqual((await store.listRecords({ app: 'shop', limit: 3 })).map((r) => r.id), ['a3', 'a2', 'b1']);
    assert.deepEqual((await store.listRecords({ app: 'blog', limit: 10 })).map((r) => r.id), ['c2', 'c1']);
    // An app whose name is a prefix of another's is not mistaken for it.
    assert.deepEqual(await store.listRecords({ app: 'sho', limit: 10 }), []);
    assert.deepEqual(await store.listRecords({ app: 'shop', functionName: 'car', limit: 10 }), []);
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a metering batch leaves the connection's durability level (FULL for queues) as it found it", async () => {
  const dir = mkdtempSync(join(tmpdir(), 'nimbus-metering-sync-'));
  const db = openDatabase(join(dir, 'state.db'));
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    const store = new SqliteMeteringStore(db, new FakeClock(Date.UTC(2026, 0, 1)));
    await store.writeBatch(batchOf([toInvocationRecord(finished({ id: 'one' }))]));
    assert.equal(Number(db.pragma('synchronous', { simple: true })), 2, 'FULL again after the batch');
    assert.deepEqual((await store.listRecords({ limit: 1 })).map((r) => r.id), ['one']);
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the sweep deletes whole old batches and cuts into at most one, by count and by age', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'nimbus-metering-sweep-'));
  const db = openDatabase(join(dir, 'state.db'));
  try {
    const now = Date.UTC(2026, 0, 15);
    const store = new SqliteMeteringStore(db, new FakeClock(now));
    const DAY = 86_400_000;
    // Five batches of ten; record n started n hours before "now" minus 100 h, oldest first.
    for (let b = 0; b < 5; b++) {
      await store.writeBatch(batchOf(Array.from({ length: 10 }, (_, i) => {
        const n = b * 10 + i;
        return toInvocationRecord(finished({ id: `r${n}`, startedAt: now - (100 - n) * 3_600_000 }));
      })));
    }
    const byCount = await store.sweep({ recordMaxAgeMs: 365 * DAY, recordMaxCount: 23, rollupMaxAgeMs: 365 * DAY });
    assert.equal(byCount.recordsDeleted, 27);
    const kept = await store.listRecords({ limit: 100 });
    assert.deepEqual(kept.map((r) => r.id), Array.from({ length: 23 }, (_, i) => `r${49 - i}`));
    // Records r27…r49 remain; an age of 60 h keeps those started at most 60 h ago: r40 onwards.
    const byAge = await store.sweep({ recordMaxAgeMs: 60 * 3_600_000, recordMaxCount: 1_000, rollupMaxAgeMs: 365 * DAY });
    assert.equal(byAge.recordsDeleted, 13);
    assert.deepEqual((await store.listRecords({ limit: 100 })).map((r) => r.id).at(-1), 'r40');
    assert.equal((db.prepare('SELECT COUNT(*) AS n FROM metering_record_batches').get() as { n: number }).n, 1);
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
