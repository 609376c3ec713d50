import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { SqliteSecretStore } from '../../../src/store/sqlite/sqlite-secret-store.js';
import { runSecretStoreContract } from '../secret-store.contract.js';
import { FakeClock } from '../../helpers/fake-clock.js';
import { freshSqliteStore, openDatabase, tempDir } from './helpers.js';

runSecretStoreContract('sqlite', freshSqliteStore((db, clock) => new SqliteSecretStore(db, clock)));

test('on disk a secret is exactly the sealed bytes it was given, as a BLOB; a reopened file keeps it', async () => {
  const tmp = tempDir();
  const file = join(tmp.dir, 'state.db');
  const clock = new FakeClock();
  let db = openDatabase(file);
  try {
    const sealed = Uint8Array.from([0, 1, 2, 250, 251, 0]);
    await new SqliteSecretStore(db, clock).put('shop', 'TOKEN', sealed);
    const row = db.prepare("SELECT sealed, typeof(sealed) AS type FROM auth_secrets WHERE app = 'shop'").get() as Record<string, unknown>;
    assert.equal(row.type, 'blob', 'not text, not an encoding of it');
    assert.deepEqual([...(row.sealed as Uint8Array)], [...sealed], 'the store adds nothing to what the secret box sealed');

    // Tables are created idempotently, so a reopened file keeps its rows.
    db.close();
    db = openDatabase(file);
    assert.deepEqual((await new SqliteSecretStore(db, clock).list('shop')).map((s) => s.name), ['TOKEN']);
  } finally {
    db.close();
    tmp.remove();
  }
});
