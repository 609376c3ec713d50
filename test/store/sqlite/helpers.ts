import { openDatabase as openConnection, type SqliteDatabase } from '../../../src/store/sqlite/sqlite-database.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeClock } from '../../helpers/fake-clock.js';

/** A connection set up the way the store composer sets it up. */
export function openDatabase(file: string): SqliteDatabase {
  const db = openConnection(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('temp_store = MEMORY');
  return db;
}

export function tempDir(): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'nimbus-queues-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * Counts top-level transactions on `db` by wrapping `db.transaction` (set up
 * before the store is made, since the store prepares its transactions once),
 * and notes the `synchronous` level each one committed with (2 = FULL, 1 = NORMAL).
 */
export function countTransactions(db: SqliteDatabase): { readonly count: number; readonly synchronous: number[] } {
  const counter = { count: 0, synchronous: [] as number[] };
  const original = db.transaction.bind(db);
  db.transaction = ((fn: (...args: unknown[]) => unknown) => {
    const tx = original(fn);
    const count = () => {
      if (db.inTransaction) return;
      counter.count++;
      counter.synchronous.push(db.pragma('synchronous', { simple: true }) as number);
    };
    const wrap = (run: (...args: unknown[]) => unknown) => (...args: unknown[]) => {
      count();
      return run(...args);
    };
    return Object.assign(wrap(tx), {
      default: wrap(tx.default), deferred: wrap(tx.deferred), immediate: wrap(tx.immediate), exclusive: wrap(tx.exclusive),
    });
  }) as typeof db.transaction;
  return counter;
}

/**
 * A contract harness over a fresh SQLite file: the store `make` builds on a
 * new connection with the one fake clock, removed again on close.
 */
export function freshSqliteStore<S>(make: (db: SqliteDatabase, clock: FakeClock) => S): () => Promise<{ store: S; clock: FakeClock; close(): Promise<void> }> {
  return async () => {
    const tmp = tempDir();
    const db = openDatabase(join(tmp.dir, 'state.db'));
    const clock = new FakeClock();
    return {
      store: make(db, clock),
      clock,
      async close() {
        db.close();
        tmp.remove();
      },
    };
  };
}
