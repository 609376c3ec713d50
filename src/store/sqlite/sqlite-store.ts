import { join } from 'node:path';
import type { Clock } from '../../shared/clock.js';
import type { Store } from '../store.js';
import { STATE_FILE } from '../data-folder.js';
import { openSqlite } from './open-sqlite.js';
import { APP_MIGRATIONS, SqliteAppStore } from './sqlite-app-store.js';
import { BLOB_INDEX_MIGRATIONS, SqliteBlobIndex } from '../../blobs/local/sqlite-blob-index.js';
import { ASYNC_RESULT_MIGRATIONS, SqliteAsyncResultStore } from './sqlite-async-result-store.js';
import { KEY_MIGRATIONS, SqliteKeyStore } from './sqlite-key-store.js';
import { QUEUE_MIGRATIONS, SqliteQueueStore } from './sqlite-queue-store.js';
import { LOG_MIGRATIONS, SqliteLogStore } from './sqlite-log-store.js';
import { METERING_MIGRATIONS, SqliteMeteringStore } from './sqlite-metering-store.js';
import { SECRET_MIGRATIONS, SqliteSecretStore } from './sqlite-secret-store.js';
import { BUDGET_MIGRATIONS, SqliteBudgetStore } from './sqlite-budget-store.js';
import { SqliteTimerStore, TIMER_MIGRATIONS } from './sqlite-timer-store.js';
import { guardWrites, type SqliteWriteGuard } from './write-guard.js';
import type { SqliteMigration } from './sqlite-migrations.js';

export { STATE_FILE };

/**
 * Every area's schema steps, by the name it records in nimbus_schema_versions:
 * what an opened state file must be at. An area that moves to migrateSqlite adds itself here.
 */
export const SQLITE_SCHEMA_STEPS: Readonly<Record<string, readonly SqliteMigration[]>> = {
  'apps': APP_MIGRATIONS,
  'keys': KEY_MIGRATIONS,
  'secrets': SECRET_MIGRATIONS,
  'async-results': ASYNC_RESULT_MIGRATIONS,
  'blobs': BLOB_INDEX_MIGRATIONS,
  'metering': METERING_MIGRATIONS,
  'logs': LOG_MIGRATIONS,
  'queues': QUEUE_MIGRATIONS,
  'timers': TIMER_MIGRATIONS,
  'budgets': BUDGET_MIGRATIONS,
};

/** The embedded store: one SQLite file in the data folder. */
export interface SqliteStoreOptions {
  /** How long async invocation results stay fetchable (ms); default 24 h. */
  asyncResultRetentionMs?: number;
  /** This node: recorded on its queue leases. */
  nodeId?: string;
  /** Watches the file once it exists: every write of the connection then reports to the guard it returns. */
  watch?: (file: string) => SqliteWriteGuard;
}

export function openSqliteStore(dataDir: string, clock: Clock, options: SqliteStoreOptions = {}): Store & { readonly file: string } {
  const file = join(dataDir, STATE_FILE);
  const db = openSqlite(file);
  if (options.watch) guardWrites(db, options.watch(file));
  const queues = new SqliteQueueStore(db, clock, options.nodeId !== undefined ? { nodeId: options.nodeId } : {});
  return {
    file,
    apps: new SqliteAppStore(db, clock),
    secrets: new SqliteSecretStore(db, clock),
    keys: new SqliteKeyStore(db, clock),
    timers: new SqliteTimerStore(db, clock),
    metering: new SqliteMeteringStore(db, clock),
    logs: new SqliteLogStore(db, clock),
    queues,
    asyncResults: new SqliteAsyncResultStore(db, clock, options.asyncResultRetentionMs !== undefined ? { retentionMs: options.asyncResultRetentionMs } : {}),
    blobIndex: new SqliteBlobIndex(db, clock),
    budgets: new SqliteBudgetStore(db, clock),
    async close() {
      // Writes waiting for a group commit go to disk before the file closes.
      await queues.close();
      db.close();
    },
  };
}
