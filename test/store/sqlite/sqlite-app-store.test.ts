import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { SqliteAppStore } from '../../../src/store/sqlite/sqlite-app-store.js';
import { runAppStoreContract } from '../app-store.contract.js';
import { FakeClock } from '../../helpers/fake-clock.js';
import { freshSqliteStore, openDatabase, tempDir } from './helpers.js';
import type { SqliteDatabase } from '../../../src/store/sqlite/sqlite-database.js';
import { decodeManifests } from '../../../src/store/stored-manifests.js';

runAppStoreContract('sqlite', async () => {
  let db!: SqliteDatabase;
  const harness = await freshSqliteStore((opened, clock) => new SqliteAppStore((db = opened), clock))();
  return {
    ...harness,
    async storeAsEarlierRelease(app, version) {
      const where = 'WHERE app = ? AND version = ?';
      const { manifests } = db.prepare<[string, number], { manifests: string }>(`SELECT manifests FROM app_versions ${where}`).get(app, version)!;
      db.prepare(`UPDATE app_versions SET functions = ?, manifests = NULL ${where}`).run(JSON.stringify(decodeManifests(manifests)), app, version);
    },
  };
});

test('apps and versions are in the file: a store opened on it later sees them, and opening it again keeps them', async () => {
  const tmp = tempDir();
  const file = join(tmp.dir, 'state.db');
  const clock = new FakeClock();
  const first = openDatabase(file);
  try {
    const created = await new SqliteAppStore(first, clock).createVersion('shop', {
      bundleHash: 'b1', sourceMapHash: 'm1', bundleSize: 10, functions: [],
    });
    first.close();
    const second = openDatabase(file);
    try {
      // Constructing the store again runs its schema statements on a file that already has the tables.
      const reopened = new SqliteAppStore(second, clock);
      assert.deepEqual(await reopened.listLive(), [created]);
      assert.equal((await reopened.createVersion('shop', { bundleHash: 'b2', sourceMapHash: null, bundleSize: 1, functions: [] })).version, 2);
    } finally {
      second.close();
    }
  } finally {
    if (first.open) first.close();
    tmp.remove();
  }
});
