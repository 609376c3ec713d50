import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { SqliteKeyStore } from '../../../src/store/sqlite/sqlite-key-store.js';
import { runKeyStoreContract } from '../key-store.contract.js';
import { FakeClock } from '../../helpers/fake-clock.js';
import { freshSqliteStore, openDatabase, tempDir } from './helpers.js';

runKeyStoreContract('sqlite', freshSqliteStore((db, clock) => new SqliteKeyStore(db, clock)));

test('on disk a key is its id, the hash bytes as a BLOB, the scope as JSON and its app copied out for an indexed filter; a reopened file keeps it', async () => {
  const tmp = tempDir();
  const file = join(tmp.dir, 'state.db');
  const clock = new FakeClock();
  let db = openDatabase(file);
  try {
    const hash = Uint8Array.from({ length: 32 }, (_, n) => n);
    await new SqliteKeyStore(db, clock).insert({ id: '00aa', secretHash: hash, scope: { kind: 'function', app: 'shop' }, label: null });
    const row = db.prepare('SELECT secret_hash, typeof(secret_hash) AS type, scope, app FROM auth_api_keys').get() as Record<string, unknown>;
    assert.equal(row.type, 'blob');
    assert.deepEqual([...(row.secret_hash as Uint8Array)], [...hash]);
    assert.deepEqual(JSON.parse(row.scope as string), { kind: 'function', app: 'shop' });
    assert.equal(row.app, 'shop');
    const plan = db.prepare("EXPLAIN QUERY PLAN SELECT id FROM auth_api_keys WHERE app = 'shop'").all() as { detail: string }[];
    assert.ok(plan.some((step) => /auth_api_keys_app/.test(step.detail)), JSON.stringify(plan));

    // Tables are created idempotently, so a reopened file keeps its rows.
    db.close();
    db = openDatabase(file);
    assert.deepEqual((await new SqliteKeyStore(db, clock).list({ app: 'shop' })).map((k) => k.id), ['00aa']);
  } finally {
    db.close();
    tmp.remove();
  }
});
