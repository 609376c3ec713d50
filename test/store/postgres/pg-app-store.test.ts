import { test } from 'node:test';
import { PgAppStore } from '../../../src/store/postgres/pg-app-store.js';
import type { PgDatabase } from '../../../src/store/postgres/pg-database.js';
import { runAppStoreContract } from '../app-store.contract.js';
import { postgresUnavailable } from '../../helpers/postgres-server.js';
import { freshPostgresStore } from './helpers.js';

const skip = postgresUnavailable();
if (skip) test('AppStore contract: postgres', { skip }, () => {});
else {
  runAppStoreContract('postgres', async () => {
    let db!: PgDatabase;
    const harness = await freshPostgresStore((opened, clock) => new PgAppStore((db = opened), clock))();
    return {
      ...harness,
      earlierRelease: {
        async plainFunctions(app, version) {
          const [row] = await db.query<{ functions: string }>('SELECT functions FROM app_versions WHERE app = $1 AND version = $2', [app, version]);
          return row!.functions;
        },
        async dropCompactForm(app, version) {
          await db.query('UPDATE app_versions SET manifests = NULL WHERE app = $1 AND version = $2', [app, version]);
        },
      },
    };
  });
}
