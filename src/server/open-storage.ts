import { join } from 'node:path';
import type { BlobBackend } from '../blobs/blob-backend.js';
import type { BlobIndex } from '../blobs/blob-index.js';
import { LocalBundleStore, type BundleStore } from '../blobs/bundles/bundle-store.js';
import { LocalBlobBackend } from '../blobs/local/local-blob-backend.js';
import { LOCAL_CHANGE_FEED, type ChangeFeed } from '../cluster/change-feed.js';
import type { Membership, MembershipLog, NodeLoad, Readiness } from '../cluster/membership.js';
import { PgChangeFeed } from '../cluster/pg-change-feed.js';
import { PgMembership } from '../cluster/pg-membership.js';
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

/** What a blob backend other than local files is opened with. */
export interface BlobBackendDeps {
  index: BlobIndex;
  faults: StorageHealth;
  dataDir: string;
}

/** A blob backend and the bundle store that goes with it (bundles live in the blob store, cached on disk). */
export interface OpenedBlobs {
  backend: BlobBackend;
  bundles: BundleStore;
}

/** Openers of the blob backends that are not built in, by URL scheme. */
export interface BlobBackendFactories {
  s3?: (url: string, deps: BlobBackendDeps) => Promise<OpenedBlobs>;
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
  blobFactories?: BlobBackendFactories;
}

/** Everything a node keeps or shares, as the configuration chose it. */
export interface OpenedStorage {
  store: Store;
  blobs: BlobBackend;
  bundles: BundleStore;
  feed: ChangeFeed;
  membership: Membership;
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
      ...(deps.asyncResultRetentionMs !== undefined ? { asyncResultRetentionMs: deps.asyncResultRetentionMs } : {}),
      watch: (file) => deps.health.watchStateFile(file),
    });
    const blobs = await openBlobs(config, store, deps);
    const membership = new SingleNodeMembership({
      nodeId: deps.nodeId, address: deps.address, version: deps.version, load: deps.load, clock: deps.clock,
      readiness: () => storageReadiness(deps.health),
    });
    return {
      store, blobs: blobs.backend, bundles: blobs.bundles, feed: LOCAL_CHANGE_FEED, membership,
      async close() {
        await membership.stop();
        await blobs.backend.close();
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
  const store = openPostgresStore(db, deps.clock, deps.nodeId, {
    ...(deps.asyncResultRetentionMs !== undefined ? { asyncResultRetentionMs: deps.asyncResultRetentionMs } : {}),
  });
  const notifications = new PgNotifications(url);
  let blobs: OpenedBlobs | undefined;
  try {
    await notifications.start();
    blobs = await openBlobs(config, store, deps);
  } catch (err) {
    await notifications.close();
    await store.close();
    throw err;
  }
  const feed = new PgChangeFeed(db, notifications, deps.nodeId);
  const membership = new PgMembership(db, {
    nodeId: deps.nodeId, address: deps.address, version: deps.version, load: deps.load, clock: deps.clock, log: deps.log,
    ...(deps.deadAfterMs !== undefined ? { deadAfterMs: deps.deadAfterMs } : {}),
  });
  const opened = blobs;
  return {
    store, blobs: opened.backend, bundles: opened.bundles, feed, membership,
    async close() {
      await membership.stop().catch((err: unknown) => deps.log.warn({ err }, 'could not deregister this node (the others will declare it dead)'));
      await feed.close();
      await notifications.close();
      await opened.backend.close();
      await store.close();
    },
  };
}

async function openBlobs(config: StorageConfig, store: Store, deps: OpenStorageDeps): Promise<OpenedBlobs> {
  if (config.blobs.kind === 'local') {
    const bundles = new LocalBundleStore(join(deps.dataDir, 'bundles'), deps.health);
    const backend = await LocalBlobBackend.open({ root: join(deps.dataDir, 'blobs'), index: store.blobIndex, faults: deps.health });
    return { backend, bundles };
  }
  const open = deps.blobFactories?.s3;
  if (!open) throw new StorageConfigError('--blobs', 'S3 blob storage is not available in this build');
  return open(config.blobs.url, { index: store.blobIndex, faults: deps.health, dataDir: deps.dataDir });
}

/** SQLite mode: ready while the data folder takes writes. */
function storageReadiness(health: StorageHealth): Readiness {
  const status = health.status();
  return status.healthy ? { ready: true } : { ready: false, reason: `storage: ${status.reason ?? 'fault'}` };
}
