import { join } from 'node:path';
import type { BlobBackend } from '../blobs/blob-backend.js';
import type { BlobIndex } from '../blobs/blob-index.js';
import type { BundleStore } from '../blobs/bundles/bundle-store.js';
import { openBlobBackend, openBundleStore } from '../blobs/open-blob-storage.js';
import type { InstanceSlots } from '../cluster/instance-slots.js';
import { LOCAL_INSTANCE_SLOTS } from '../cluster/local-instance-slots.js';
import { heartbeatLiveness } from '../cluster/postgres/node-liveness.js';
import { PgInstanceSlots } from '../cluster/postgres/pg-instance-slots.js';
import { PgBudgetShares } from '../cluster/postgres/pg-budget-shares.js';
import { WHOLE_BUDGETS, type BudgetShares } from '../cluster/budget-shares.js';
import { LOCAL_CHANGE_FEED, type ChangeFeed } from '../cluster/change-feed.js';
import { DEFAULT_DEAD_AFTER_MS, type Membership, type MembershipLog, type NodeLoad, type Readiness } from '../cluster/membership.js';
import { PgChangeFeed } from '../cluster/pg-change-feed.js';
import { PgMembership } from '../cluster/pg-membership.js';
import { assertSharedBlobs, blobsIdentity, UnsharedBlobsError } from '../cluster/postgres/shared-blobs-check.js';
import { SingleNodeMembership } from '../cluster/single-node-membership.js';
import type { Clock } from '../shared/clock.js';
import { migratePostgres } from '../store/postgres/migrate.js';
import { POSTGRES_MIGRATIONS } from '../store/postgres/migrations/index.js';
import { PgDatabase } from '../store/postgres/pg-database.js';
import { PgNotifications } from '../store/postgres/pg-notifications.js';
import { openPostgresStore } from '../store/postgres/postgres-store.js';
import { openSqliteStore } from '../store/sqlite/sqlite-store.js';
import type { StorageHealth } from '../store/storage-health.js';
import type { Store } from '../store/store.js';
import { maskUrl, StorageConfigError, type StorageConfig } from './storage-config.js';

/** A blob backend and the bundle store that goes with it (bundles live in the blob store, cached on disk). */
interface OpenedBlobs {
  backend: BlobBackend;
  bundles: BundleStore;
}

export interface OpenStorageDeps {
  dataDir: string;
  clock: Clock;
  nodeId: string;
  version: string;
  /** The URL this node is reached on; read once the node listens. */
  address: () => string;
  /** What this node's heartbeat reports. */
  load: () => NodeLoad;
  /** The data folder's health: storage faults are told and named here. */
  health: StorageHealth;
  log: MembershipLog;
  asyncResultRetentionMs?: number;
  /** A node silent this long is declared dead (PostgreSQL); default 10 s. */
  deadAfterMs?: number;
}

/** Everything a node keeps or shares, as the configuration chose it. */
export interface OpenedStorage {
  store: Store;
  blobs: BlobBackend;
  bundles: BundleStore;
  feed: ChangeFeed;
  membership: Membership;
  /** Where a function's maxInstances is counted: this node alone, or the cluster. */
  slots: InstanceSlots;
  /** Where this node's part of each downstream budget comes from: all of it alone, a leased share in a cluster. */
  budgetShares: BudgetShares;
  /** Closes everything in order: membership (deregisters), feed, blobs, store. */
  close(): Promise<void>;
}

/**
 * The one place that turns `--store` / `--blobs` into the parts the node
 * runs on. SQLite: the state file, local blobs and bundles, no feed, a
 * membership of one. PostgreSQL: schema migrated at start, every store area
 * on one connection pool, changes published by NOTIFY, heartbeat membership.
 */
export async function openStorage(config: StorageConfig, deps: OpenStorageDeps): Promise<OpenedStorage> {
  if (config.store.kind === 'sqlite') {
    const store = openSqliteStore(config.store.dir ?? deps.dataDir, deps.clock, {
      nodeId: deps.nodeId,
      ...(deps.asyncResultRetentionMs !== undefined ? { asyncResultRetentionMs: deps.asyncResultRetentionMs } : {}),
      watch: (file) => deps.health.watchStateFile(file),
    });
    const blobs = await openBlobs(config, store, deps);
    const membership = new SingleNodeMembership({
      nodeId: deps.nodeId, address: deps.address, version: deps.version, load: deps.load, clock: deps.clock,
      readiness: () => storageReadiness(deps.health),
    });
    return {
      store, blobs: blobs.backend, bundles: blobs.bundles, feed: LOCAL_CHANGE_FEED, membership, slots: LOCAL_INSTANCE_SLOTS, budgetShares: WHOLE_BUDGETS,
      async close() {
        await membership.stop();
        await blobs.backend.close();
        await blobs.bundles.close();
        await store.close();
      },
    };
  }

  const url = config.store.url;
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

async function openBlobs(config: StorageConfig, store: Store, deps: OpenStorageDeps): Promise<OpenedBlobs> {
  const common = { dataDir: deps.dataDir, faults: deps.health, clock: deps.clock };
  const bundles = await openBundleStore(config.blobs, common);
  try {
    const backend = await openBlobBackend(config.blobs, {
      ...common, index: store.blobIndex, onSweepError: (err) => deps.log.warn({ err }, 'sweeping unreferenced blob data failed; it is tried again'),
    });
    return { backend, bundles };
  } catch (err) {
    await bundles.close();
    throw err;
  }
}

/** SQLite mode: ready while the data folder takes writes. */
function storageReadiness(health: StorageHealth): Readiness {
  const status = health.status();
  return status.healthy ? { ready: true } : { ready: false, reason: `storage: ${status.reason ?? 'fault'}` };
}
