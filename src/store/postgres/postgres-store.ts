import type { Clock } from '../../shared/clock.js';
import type { Store } from '../store.js';
import type { PgDatabase } from './pg-database.js';
import type { PgNotifications } from './pg-notifications.js';
import { PgAppStore } from './pg-app-store.js';
import { PgAsyncResultStore } from './pg-async-result-store.js';
import { PgBlobIndex } from './pg-blob-index.js';
import { PgBudgetStore } from './pg-budget-store.js';
import { PgKeyStore } from './pg-key-store.js';
import { PgLogStore } from './pg-log-store.js';
import { PgMeteringStore } from './pg-metering-store.js';
import { PgQueueStore } from './pg-queue-store.js';
import { PgSecretStore } from './pg-secret-store.js';
import { PgTimerStore } from './pg-timer-store.js';

export interface PostgresStoreOptions {
  /** How long async invocation results stay fetchable (ms); default 24 h. */
  asyncResultRetentionMs?: number;
}

/**
 * The cluster store: every area on one PostgreSQL database (migrated by the
 * caller) and one connection pool; the areas that wake other nodes (queues,
 * blob events) listen on the node's one LISTEN connection.
 */
export async function openPostgresStore(
  db: PgDatabase, notifications: PgNotifications, clock: Clock, nodeId: string, options: PostgresStoreOptions = {},
): Promise<Store> {
  const queues = new PgQueueStore(db, clock, { nodeId, notifications });
  await queues.ready();
  return {
    apps: new PgAppStore(db, clock),
    secrets: new PgSecretStore(db, clock),
    keys: new PgKeyStore(db, clock),
    timers: new PgTimerStore(db, clock),
    metering: new PgMeteringStore(db, clock),
    logs: new PgLogStore(db, clock, {}, { notifications }),
    queues,
    asyncResults: new PgAsyncResultStore(db, clock, options.asyncResultRetentionMs !== undefined ? { retentionMs: options.asyncResultRetentionMs } : {}),
    blobIndex: new PgBlobIndex(db, clock, { notifications }),
    budgets: new PgBudgetStore(db, clock),
    async close() {
      // Sends waiting for their group commit are written before the pool closes.
      await queues.close();
      await db.close();
    },
  };
}
