import { join } from 'node:path';
import type { Clock } from '../shared/clock.js';
import type { StorageFaults } from '../store/storage-faults.js';
import type { BlobDataStore } from './blob-data-store.js';
import type { BlobIndex } from './blob-index.js';
import { LocalBundleStore, type BundleStore } from './bundles/bundle-store.js';
import { IndexedBlobBackend, type OrphanSweepOptions } from './indexed-blob-backend.js';
import { LocalBlobBackend } from './local/local-blob-backend.js';
import { LocalDataStore } from './local/local-data-store.js';
import { describeBlobsConfig, type BlobsConfig, type S3BlobsConfig } from './s3/s3-blobs-url.js';
import type { S3Location } from './s3/s3-client.js';

/** Where a node keeps blobs and bundles on its own disk: in its data folder. */
export interface BlobStorageDeps {
  dataDir: string;
  faults?: StorageFaults;
  clock?: Clock;
}

/**
 * The data store a `--blobs` setting names. Local files live in
 * `<dataDir>/blobs`; an S3 bucket is checked at open (a clear error now,
 * not at the first write) and needs the grace period for its orphan sweep.
 */
export async function openBlobDataStore(config: BlobsConfig, deps: BlobStorageDeps): Promise<{ data: BlobDataStore; sweep: OrphanSweepOptions }> {
  if (config.kind === 'file') {
    return { data: await LocalDataStore.open(join(deps.dataDir, 'blobs'), deps.faults), sweep: { graceMs: 0 } };
  }
  // The AWS SDK takes ~0.2 s to load: only nodes on S3 pay for it. Loaded before the client is made, which a failed load would leak.
  const { S3DataStore } = await import('./s3/s3-data-store.js');
  const location = await openS3Location(config);
  const data = new S3DataStore({ location, partSizeBytes: config.partSizeBytes, queueSize: config.queueSize, ...(deps.faults ? { faults: deps.faults } : {}) });
  // Swept as often as the grace period: a killed node's uploads go within about twice that.
  return { data, sweep: { graceMs: config.sweepGraceMs, everyMs: config.sweepGraceMs } };
}

/**
 * The blob backend for a `--blobs` setting over the node's blob index.
 * Local files are swept at open (one node, nothing in flight); S3 data is
 * swept in the background, periodically, past the grace period.
 */
export async function openBlobBackend(
  config: BlobsConfig,
  deps: BlobStorageDeps & { index: BlobIndex; maxObjectBytes?: number; onSweepError?: (err: unknown) => void },
): Promise<IndexedBlobBackend> {
  const common = {
    index: deps.index,
    ...(deps.maxObjectBytes !== undefined ? { maxObjectBytes: deps.maxObjectBytes } : {}),
    ...(deps.faults ? { faults: deps.faults } : {}),
    ...(deps.clock ? { clock: deps.clock } : {}),
  };
  if (config.kind === 'file') return LocalBlobBackend.open({ root: join(deps.dataDir, 'blobs'), ...common });
  const { data, sweep } = await openBlobDataStore(config, deps);
  const backend = new IndexedBlobBackend({ data, ...common, sweep: { ...sweep, ...(deps.onSweepError ? { onError: deps.onSweepError } : {}) } });
  // Listing a large bucket takes a while: the node starts meanwhile.
  backend.sweepOrphans().catch((err: unknown) => deps.onSweepError?.(err));
  return backend;
}

/** The bundle store for a `--blobs` setting: local files, or S3 with this node's disk as the cache. */
export async function openBundleStore(config: BlobsConfig, deps: BlobStorageDeps): Promise<BundleStore> {
  const cache = new LocalBundleStore(join(deps.dataDir, 'bundles'), deps.faults);
  if (config.kind === 'file') return cache;
  const { S3BundleStore } = await import('./s3/s3-bundle-store.js');
  const location = await openS3Location(config);
  return new S3BundleStore({
    location, cache, sweepGraceMs: config.sweepGraceMs,
    ...(deps.faults ? { faults: deps.faults } : {}), ...(deps.clock ? { clock: deps.clock } : {}),
  });
}

/** A client for the configured bucket, checked now: a clear error at start, not at the first write. */
async function openS3Location(config: S3BlobsConfig): Promise<S3Location> {
  const { checkBucketReachable, createS3Location } = await import('./s3/s3-client.js');
  const location = createS3Location(config);
  try {
    await checkBucketReachable(location, describeBlobsConfig(config));
  } catch (err) {
    location.client.destroy();
    throw err;
  }
  return location;
}
