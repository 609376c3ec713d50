import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PgAppStore } from '../../../src/store/postgres/pg-app-store.js';
import type { PgDatabase } from '../../../src/store/postgres/pg-database.js';
import type { NewVersion } from '../../../src/store/store.js';
import { runAppStoreContract } from '../app-store.contract.js';
import { postgresUnavailable } from '../../helpers/postgres-server.js';
import { freshPostgresStore } from './helpers.js';

const skip = postgresUnavailable();
if (skip) test('AppStore contract: postgres', { skip }, () => {});
else {
  const fresh = async () => {
    let db!: PgDatabase;
    const harness = await freshPostgresStore((opened, clock) => new PgAppStore((db = opened), clock))();
    return {
      ...harness,
      db,
      async storeAsEarlierRelease(app: string, version: number) {
        await db.query('UPDATE app_versions SET manifests = NULL WHERE app = $1 AND version = $2', [app, version]);
      },
    };
  };
  runAppStoreContract('postgres', fresh);

  test('nodes of the release before, still running in a cluster being upgraded, read every new version whole from the plain array', async () => {
    const { store, db, close } = await fresh();
    try {
      const settings = {
        memoryMb: 128, timeoutMs: 30_000, concurrency: 8, minInstances: 0, maxInstances: 10, idleTimeoutMs: 300_000,
        queueLimit: 100, queueTimeoutMs: 10_000, env: { A: '1' }, network: 'outbound' as const, cpuShares: 1024,
      };
      const version: NewVersion = {
        bundleHash: 'b', sourceMapHash: null, bundleSize: 1,
        functions: [
          { name: 'api', kind: 'http', settings, trigger: { route: 'GET /api' } },
          { name: 'nightly', kind: 'timer', settings, trigger: { cron: '0 3 * * *' } },
        ],
      };
      await store.createVersion('shop', version);
      // What that release's store reads: the plain array, by its own column list.
      const [row] = await db.query<{ functions: string }>('SELECT app, version, functions FROM app_versions WHERE app = $1', ['shop']);
      assert.deepEqual(JSON.parse(row!.functions), version.functions);
    } finally {
      await close();
    }
  });
}
