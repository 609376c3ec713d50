import type { Clock } from '../../shared/clock.js';
import type { StorageFaults } from '../../store/storage-faults.js';
import type { BlobIndex } from '../blob-index.js';
import { IndexedBlobBackend } from '../indexed-blob-backend.js';
import { LocalDataStore } from './local-data-store.js';

export interface LocalBlobBackendOptions {
  /** Folder for blob data: `<root>/data/<xx>/<id>` and `<root>/tmp/`. */
  root: string;
  index: BlobIndex;
  maxObjectBytes?: number;
  /** Told about every write, and names storage faults (full disk: 507; lost folder: 503). */
  faults?: StorageFaults;
  clock?: Clock;
}

/** Blobs as files on one machine: an IndexedBlobBackend over a LocalDataStore. */
export type LocalBlobBackend = IndexedBlobBackend;

export const LocalBlobBackend = {
  /**
   * Makes the folders and sweeps what a crash left behind: temporary files and
   * data no key points at. One node owns the folder and nothing is in flight
   * yet, so the sweep needs no grace period. Run before any write.
   */
  async open(options: LocalBlobBackendOptions): Promise<LocalBlobBackend> {
    const data = await LocalDataStore.open(options.root, options.faults);
    const backend = new IndexedBlobBackend({
      data, index: options.index,
      ...(options.maxObjectBytes !== undefined ? { maxObjectBytes: options.maxObjectBytes } : {}),
      ...(options.faults ? { faults: options.faults } : {}),
      ...(options.clock ? { clock: options.clock } : {}),
      sweep: { graceMs: 0 },
    });
    await backend.sweepOrphans();
    return backend;
  },
};
