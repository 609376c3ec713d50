import type { BlobBackend } from '../blobs/blob-backend.js';
import type { BundleStore } from '../blobs/bundles/bundle-store.js';
import { openBlobBackend, openBundleStore } from '../blobs/open-blob-storage.js';
import type { InstanceSlots } from '../cluster/instance-slots.js';
import { LOCAL_INSTANCE_SLOTS } from '../cluster/local-instance-slots.js';
import { WHOLE_BUDGETS, type BudgetShares } from '../cluster/budget-shares.js';
import { LOCAL_CHANGE_FEED, type ChangeFeed } from '../cluster/change-feed.js';
import { type Membership, type MembershipLog, type NodeLoad, type Readiness } from '../cluster/membership.js';
import { SingleNodeMembership } from '../cluster/single-node-membership.js';
import type { Clock } from '../shared/clock.js';
import { openSqliteStore } from '../store/sqlite/sqlite-store.js';
import type { StorageHealth } from '../store/storage-health.js';
import type { Store } from '../store/store.js';
import type { StorageConfig } from './storage-config.js';

/** A blob backend and the bundle store that goes with it (bundles live in the blob store, cached on disk). */
export interface OpenedBlobs {
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

  // The PostgreSQL client and the cluster parts load only for a node that runs on them.
  const { openPostgresStorage } = await import('./open-postgres-storage.js');
  return openPostgresStorage(config.store.url, config, deps);
}

export async function openBlobs(config: StorageConfig, store: Store, deps: OpenStorageDeps): Promise<OpenedBlobs> {
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
