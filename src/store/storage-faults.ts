import { toStorageError, type ClassifyOptions, type StorageArea } from './storage-errors.js';

/**
 * What a storage layer (the SQLite connection, blob files, bundle files)
 * tells the node about its writes, so that one place decides whether writes
 * are refused, what the caller is told, and what is logged and counted.
 */
export interface StorageFaults {
  /** Throws NIMBUS_ERR_STORE_UNAVAILABLE when `area` can no longer be written (its folder was lost). */
  assertWritable(area: StorageArea): void;
  /** A write to `area` is durable: a passing fault there (full disk, read-only) is over. */
  succeeded(area: StorageArea): void;
  /** The error to throw for a failed write or read: a storage fault's NimbusError (counted, logged), else `error` unchanged. */
  fault(area: StorageArea, error: unknown, options?: ClassifyOptions): unknown;
  /** A file the node expected in `area` is missing: the lost-store error when its folder is gone, else `error` unchanged. */
  missing(area: StorageArea, error: unknown): unknown;
  /** Takes the identity of the folder `area` writes into, to notice when it is removed or replaced. */
  watchFolder(area: StorageArea, path: string): void;
}

/** For a layer used on its own (tests, tools): faults are named, nothing is watched or counted. */
export const UNWATCHED_STORAGE: StorageFaults = {
  assertWritable() {},
  succeeded() {},
  fault: (area, error, options) => toStorageError(error, area, options),
  missing: (_area, error) => error,
  watchFolder() {},
};
