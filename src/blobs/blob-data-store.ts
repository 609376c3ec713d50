import type { Readable } from 'node:stream';

/** A data object fully written and durable: what the index commit records. */
export interface WrittenData {
  size: number;
  /** Quoted MD5 of the bytes, computed while they streamed (never the store's own ETag). */
  etag: string;
}

/** An existing data object, for the orphan sweep. */
export interface StoredData {
  dataId: string;
  /**
   * Epoch ms the store says the object was written; undefined where that
   * costs a call per object and is not needed (local files are swept only at
   * open, when no write is in flight).
   */
  writtenAt?: number;
}

/**
 * Where the bytes of blobs live, each version in its own immutable data
 * object named by an id the backend chooses. Knows nothing of buckets, keys,
 * conditions or events: those are the index's (see IndexedBlobBackend).
 * Storage faults come out as NimbusErrors (503 / 507) through StorageFaults.
 */
export interface BlobDataStore {
  /**
   * Streams `body` into a new data object `dataId`, hashing as it goes, with
   * bounded memory. Resolves only when the object is durable. Fails with
   * NIMBUS_ERR_BLOB_TOO_LARGE past `maxBytes`; on any failure, what was
   * written is removed (best effort: the sweep gets the rest).
   */
  write(dataId: string, body: Readable, maxBytes: number): Promise<WrittenData>;
  /** The bytes (an inclusive range when given), or undefined when no such object exists. */
  read(dataId: string, range?: { start: number; end: number }): Promise<Readable | undefined>;
  /** Removes a data object; a missing one is not an error. */
  remove(dataId: string): Promise<void>;
  /** Every data object, a page at a time (the sweep compares them with the index). */
  list(): AsyncIterable<StoredData[]>;
  close(): Promise<void>;
}
