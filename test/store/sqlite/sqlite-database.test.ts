import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { bufferOf, openDatabase, type SqliteDatabase } from '../../../src/store/sqlite/sqlite-database.js';
import { classifyStorageError } from '../../../src/store/storage-errors.js';
import { tempDir } from './helpers.js';

/** A WAL database file with one table, removed when the test ends. */
function scratch(t: { after(fn: () => void): void }): { db: SqliteDatabase; file: string } {
  const tmp = tempDir();
  const file = join(tmp.dir, 'state.sqlite');
  const db = openDatabase(file);
  db.pragma('journal_mode = WAL');
  db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT, bytes BLOB)');
  t.after(() => {
    if (db.open) db.close();
    tmp.remove();
  });
  return { db, file };
}

test('a statement knows whether it writes, as SQLite itself decides it', (t) => {
  const { db } = scratch(t);
  const readonly = (sql: string) => db.prepare(sql).readonly;
  assert.equal(readonly('SELECT * FROM t WHERE id = ?'), true);
  assert.equal(readonly('WITH x AS (SELECT 1 AS n) SELECT n FROM x'), true);
  assert.equal(readonly('PRAGMA synchronous'), true);
  assert.equal(readonly('PRAGMA synchronous = NORMAL'), true, 'a setting of the connection, not of the file');
  // Answers checked against better-sqlite3 (sqlite3_stmt_readonly): plain transaction control writes nothing, BEGIN IMMEDIATE takes the write lock.
  assert.equal(readonly('BEGIN'), true);
  assert.equal(readonly('COMMIT'), true);
  assert.equal(readonly('SAVEPOINT s'), true);
  assert.equal(readonly('BEGIN IMMEDIATE'), false);
  assert.equal(readonly('INSERT INTO t (name) VALUES (?)'), false);
  assert.equal(readonly('INSERT INTO t (name) VALUES (?) RETURNING id'), false);
  assert.equal(readonly('UPDATE t SET name = ? WHERE id = ?'), false);
  assert.equal(readonly('DELETE FROM t'), false);
  assert.equal(readonly('WITH x AS (SELECT 1 AS n) INSERT INTO t (id) SELECT n FROM x'), false);
  assert.equal(readonly('CREATE TABLE u (a)'), false);
  assert.equal(readonly('PRAGMA user_version = 2'), false);
  assert.equal(readonly('PRAGMA journal_mode = WAL'), false);
});

test('pluck gives the first column from get, all and iterate, and can be turned off', (t) => {
  const { db } = scratch(t);
  db.exec("INSERT INTO t (name) VALUES ('a'), ('b'), ('c')");
  const names = db.prepare<[], string>('SELECT name, id FROM t ORDER BY id').pluck();
  assert.equal(names.get(), 'a');
  assert.deepEqual(names.all(), ['a', 'b', 'c']);
  assert.deepEqual([...names.iterate()], ['a', 'b', 'c']);
  assert.equal(db.prepare('SELECT name FROM t WHERE id = 99').pluck().get(), undefined);
  names.pluck(false);
  assert.deepEqual({ ...(names.get() as unknown as object) }, { name: 'a', id: 1 });
  assert.equal(db.pragma('user_version', { simple: true }), 0);
  assert.deepEqual((db.pragma('user_version') as object[]).map((row) => ({ ...row })), [{ user_version: 0 }]);
});

test('undefined binds as NULL, positional or named; named objects may carry keys the statement does not use', (t) => {
  const { db } = scratch(t);
  db.prepare('INSERT INTO t (id, name) VALUES (?, ?)').run(1, undefined);
  db.prepare('INSERT INTO t (id, name) VALUES (@id, @name)').run({ id: 2, name: undefined, unused: 'x' });
  const result = db.prepare('INSERT INTO t (id, name) VALUES (@id, @name)').run({ id: 3, name: 'c', alsoUnused: 1 });
  assert.deepEqual(result, { changes: 1, lastInsertRowid: 3 });
  assert.deepEqual(db.prepare('SELECT name FROM t ORDER BY id').pluck().all(), [null, null, 'c']);
});

test('BLOBs read back as Uint8Array; bufferOf views one as a Buffer without a copy', (t) => {
  const { db } = scratch(t);
  db.prepare('INSERT INTO t (id, bytes) VALUES (?, ?)').run(1, Buffer.from('héllo', 'utf8'));
  const bytes = db.prepare<[number], Uint8Array>('SELECT bytes FROM t WHERE id = ?').pluck().get(1)!;
  assert.ok(bytes instanceof Uint8Array);
  const buffer = bufferOf(bytes);
  assert.equal(buffer.toString('utf8'), 'héllo');
  assert.equal(buffer.buffer, bytes.buffer, 'the same memory');
  assert.equal(db.prepare('SELECT count(*) FROM t WHERE bytes = ?').pluck().get(buffer), 1, 'a Buffer binds as a BLOB');
});

test('a nested transaction is a savepoint: its failure undoes only its own writes', (t) => {
  const { db } = scratch(t);
  const insert = db.prepare('INSERT INTO t (name) VALUES (?)');
  const inner = db.transaction((name: string) => {
    insert.run(name);
    throw new Error('inner fails');
  });
  const outer = db.transaction(() => {
    insert.run('outer');
    assert.throws(() => inner('inner'), /inner fails/);
    assert.equal(db.inTransaction, true, 'the outer transaction goes on');
    return 'done';
  });
  assert.equal(outer.immediate(), 'done');
  assert.equal(db.inTransaction, false);
  assert.deepEqual(db.prepare('SELECT name FROM t').pluck().all(), ['outer']);

  assert.throws(() => db.transaction(() => {
    insert.run('rolled back');
    throw new Error('outer fails');
  })(), /outer fails/);
  assert.equal(db.inTransaction, false);
  assert.deepEqual(db.prepare('SELECT name FROM t').pluck().all(), ['outer']);
});

test('a transaction function that returns a promise is refused and its writes rolled back', (t) => {
  const { db } = scratch(t);
  const insert = db.prepare('INSERT INTO t (name) VALUES (?)');
  const asyncWork = db.transaction(async () => insert.run('x'));
  assert.throws(() => asyncWork(), /must not return a promise/);
  assert.equal(db.inTransaction, false);
  assert.equal(db.prepare('SELECT count(*) FROM t').pluck().get(), 0);
});

test('a write refused for lack of room says SQLITE_FULL whichever method ran it', (t) => {
  const { db } = scratch(t);
  db.prepare('INSERT INTO t (name) VALUES (?)').run('first');
  const pages = db.pragma('page_count', { simple: true }) as number;
  db.pragma(`max_page_count = ${pages}`);
  const big = 'x'.repeat(64 * 1024);
  const insert = db.prepare('INSERT INTO t (name) VALUES (?) RETURNING id');
  const attempts: Record<string, () => unknown> = {
    run: () => insert.run(big),
    get: () => insert.get(big),
    all: () => insert.all(big),
    iterate: () => [...insert.iterate(big)],
    exec: () => db.exec(`INSERT INTO t (name) VALUES ('${big}')`),
  };
  for (const [method, attempt] of Object.entries(attempts)) {
    const error = (() => {
      try {
        attempt();
      } catch (e) {
        return e;
      }
      return assert.fail(`${method} should have failed`);
    })();
    assert.equal((error as { errcode?: number }).errcode! & 0xff, 13, `${method}: ${String(error)}`);
    assert.equal(classifyStorageError(error), 'full', method);
  }
  assert.equal(db.prepare('SELECT count(*) FROM t').pluck().get(), 1);
});

test('leaving an iteration early releases the statement: it can run again and a checkpoint is not held back', (t) => {
  const { db, file } = scratch(t);
  db.exec("INSERT INTO t (name) VALUES ('a'), ('b'), ('c')");
  const names = db.prepare<[], string>('SELECT name FROM t ORDER BY id').pluck();
  for (const name of names.iterate()) {
    assert.equal(name, 'a');
    break;
  }
  assert.deepEqual(names.all(), ['a', 'b', 'c']);

  for (const _ of names.iterate()) break;
  const other = openDatabase(file);
  t.after(() => other.close());
  other.prepare('INSERT INTO t (name) VALUES (?)').run('d');
  // [busy, wal frames, frames checkpointed]: busy 0 means no reader holds an old snapshot.
  const [checkpoint] = other.pragma('wal_checkpoint(TRUNCATE)') as { busy: number }[];
  assert.equal(checkpoint!.busy, 0);
});
