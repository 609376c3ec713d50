import { heartbeatLiveness } from '../cluster/postgres/node-liveness.js';
import { PgInstanceSlots } from '../cluster/postgres/pg-instance-slots.js';
import { PgBudgetShares } from '../cluster/postgres/pg-budget-shares.js';
import { DEFAULT_DEAD_AFTER_MS } from '../cluster/membership.js';
import { PgChangeFeed } from '../cluster/pg-change-feed.js';
import { PgMembership } from '../cluster/pg-membership.js';
import { assertSharedBlobs, blobsIdentity, UnsharedBlobsError } from '../cluster/postgres/shared-blobs-check.js';
import { migratePostgres } from '../store/postgres/migrate.js';
import { POSTGRES_MIGRATIONS } from '../store/postgres/migrations/index.js';
import { PgDatabase } from '../store/postgres/pg-database.js';
import { PgNotifications } from '../store/postgres/pg-notifications.js';
import { openPostgresStore } from '../store/postgres/postgres-store.js';
import type { Store } from '../store/store.js';
import { openBlobs, type OpenedBlobs, type OpenedStorage, type OpenStorageDeps } from './open-storage.js';
import { maskUrl, StorageConfigError, type StorageConfig } from './storage-config.js';

/**
 * A node on PostgreSQL: schema migrated at start, every store area on one
 * connection pool, changes published by NOTIFY, heartbeat membership,
 * instance slots and budget shares counted across the cluster.
 */
export async function openPostgresStorage(url: string, config: StorageConfig, deps: OpenStorageDeps): Promise<OpenedStorage> {
  try {
    await migratePostgres(url, POSTGRES_MIGRATIONS);
  } catch (err) {
    throw new StorageConfigError('--store', `cannot use PostgreSQL at ${maskUrl(url)}: ${err instanceof Error ? err.message : String(err)}`);
  }
  const db = new PgDatabase(url, { applicationName: `nimbus ${deps.nodeId}`, faults: deps.health });
  const notifications = new PgNotifications(url);
  let store: Store | undefined;
  let blobs: OpenedBlobs | undefined;
  const slots = new PgInstanceSlots(db, notifications, {
    nodeId: deps.nodeId, clock: deps.clock,
    liveness: heartbeatLiveness(deps.deadAfterMs !== undefined ? { deadAfterMs: deps.deadAfterMs } : {}),
  });
  const blobsAt = blobsIdentity(config.blobs, deps.nodeId);
  try {
    await assertSharedBlobs(db, deps.nodeId, blobsAt, deps.deadAfterMs ?? DEFAULT_DEAD_AFTER_MS);
  } catch (err) {
    await db.close();
    throw err instanceof UnsharedBlobsError ? new StorageConfigError('--blobs', err.message) : err;
  }
  try {
    await notifications.start();
    store = await openPostgresStore(db, notifications, deps.clock, deps.nodeId, {
      ...(deps.asyncResultRetentionMs !== undefined ? { asyncResultRetentionMs: deps.asyncResultRetentionMs } : {}),
    });
    blobs = await openBlobs(config, store, deps);
    await slots.start();
  } catch (err) {
    await blobs?.backend.close().catch(() => {});
    await notifications.close();
    if (store) await store.close();
    else await db.close();
    throw err;
  }
  const feed = new PgChangeFeed(db, notifications, deps.nodeId);
  const membership = new PgMembership(db, {
    nodeId: deps.nodeId, address: deps.address, version: deps.version, blobs: blobsAt, load: deps.load, clock: deps.clock, log: deps.log,
    ...(deps.deadAfterMs !== undefined ? { deadAfterMs: deps.deadAfterMs } : {}),
  });
  const opened = blobs;
  const shared = store;
  // What a dead node held comes back: its queue leases (an attempt each) and its instance slots.
  membership.onNodeDead(async (deadNode) => {
    await shared.queues.releaseLeasesOf(deadNode);
    await slots.releaseNode(deadNode);
  });
  const budgetShares = new PgBudgetShares(db, {
    nodeId: deps.nodeId, clock: deps.clock, onError: (err) => deps.log.warn({ err }, 'could not renew this node\'s budget shares'),
  });
  return {
    store: shared, blobs: opened.backend, bundles: opened.bundles, feed, membership, slots, budgetShares,
    async close() {
      await budgetShares.close();
      await membership.stop().catch((err: unknown) => deps.log.warn({ err }, 'could not deregister this node (the others will declare it dead)'));
      await slots.close();
      await feed.close();
      await opened.backend.close();
      await opened.bundles.close();
      await shared.close();
      await notifications.close();
    },
  };
}
