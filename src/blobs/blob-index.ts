import type { BlobEventType } from '../sdk/definition.js';
import type { BlobObjectMeta, BucketInfo, ListOptions, ListResult } from './blob-backend.js';
import type { BlobEventLog } from './blob-event-log.js';

/** An object's metadata plus the id of the data that holds its bytes. */
export interface IndexedObject extends BlobObjectMeta {
  dataId: string;
}

export interface ObjectCommit {
  bucket: string;
  key: string;
  /** The fully written, synced data this key now points at. */
  dataId: string;
  size: number;
  etag: string;
  contentType: string;
  metadata: Record<string, string>;
  ifMatch?: string;
  ifNoneMatch?: string;
}

export interface CommittedPut {
  eventType: Extract<BlobEventType, 'created' | 'updated'>;
  sequencer: string;
  /** The data the key pointed at before, now unreferenced: the caller removes it. */
  supersededDataId: string | null;
}

export interface CommittedDelete {
  deleted: boolean;
  sequencer?: string;
  supersededDataId: string | null;
}

/**
 * Blob metadata and its event log, behind one interface because a write and
 * its event commit together. The data-file id is the atomic switch: a commit
 * points a key at new, complete data, or fails and changes nothing.
 */
export interface BlobIndex extends BlobEventLog {
  createBucket(bucket: string): Promise<{ created: boolean }>;
  listBuckets(): Promise<BucketInfo[]>;
  bucketExists(bucket: string): Promise<boolean>;
  deleteBucket(bucket: string): Promise<void>;
  getObject(bucket: string, key: string): Promise<IndexedObject | undefined>;
  /** Checks the conditions, creates the bucket if needed, switches the key and records the event: one transaction. */
  commitPut(commit: ObjectCommit): Promise<CommittedPut>;
  commitDelete(bucket: string, key: string, options: { ifMatch?: string }): Promise<CommittedDelete>;
  list(bucket: string, options: ListOptions): Promise<ListResult>;
  /** Of the given data ids, those no object points at (for sweeping orphans). */
  unreferencedDataIds(dataIds: string[]): Promise<string[]>;
}
