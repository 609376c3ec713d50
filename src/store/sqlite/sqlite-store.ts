import { join } from 'node:path';
import type { Clock } from '../../shared/clock.js';
import type { Store } from '../store.js';
import { STATE_FILE } from '../data-folder.js';
import { openSqlite } from './open-sqlite.js';
import { SqliteAppStore } from './sqlite-app-store.js';
import { SqliteBlobIndex } from '../../blobs/local/sqlite-blob-index.js';
import { SqliteAsyncResultStore } from './sqlite-async-result-store.js';
import { SqliteKeyStore } from './sqlite-key-store.js';
import { SqliteQueueStore } from './sqlite-queue-store.js';
import { SqliteLogStore } from './sqlite-log-store.js';
import { SqliteMeteringStore } from './sqlite-metering-store.js';
import { SqliteSecretStore } from './sqlite-secret-store.js';
import { SqliteTimerStore } from './sqlite-timer-store.js';
import { guardWrites, type SqliteWriteGuard } from './write-guard.js';

export { STATE_FILE };

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
    async close() {
      // Writes waiting for a group commit go to disk before the file closes.
      await queues.close();
      db.close();
    },
  };
}
