import type { Readable } from 'node:stream';
import type { BlobEventType } from '../sdk/definition.js';

/** S3's single-PUT limit; a backend may be configured lower, never higher. */
export const MAX_OBJECT_BYTES = 5 * 1024 ** 3;
/** At most this many entries (objects plus common prefixes) per list page. */
export const MAX_LIST_LIMIT = 1000;
export const DEFAULT_LIST_LIMIT = 1000;

export interface BlobObjectMeta {
  bucket: string;
  key: string;
  size: number;
  /** Quoted hex MD5 of the content, e.g. `"9e107d9d372bb6826bd81d3542a419d6"` (as S3 for single-part uploads). */
  etag: string;
  contentType: string;
  /** User metadata; names lower-case. */
  metadata: Record<string, string>;
  /** Epoch ms of the write that made this version. */
  lastModified: number;
  /** The sequencer of the event that made this version. */
  sequencer: string;
}

/**
 * Conditions use HTTP's syntax: `*`, or one or more (comma-separated,
 * optionally weak `W/`) entity tags; unquoted tags are accepted too.
 */
export interface PutObjectOptions {
  contentType?: string;
  metadata?: Record<string, string>;
  /** Write only if the current object matches (`*`: only if it exists). */
  ifMatch?: string;
  /** `*`: create only, refuse if the key exists; a tag: refuse if the current object has it. */
  ifNoneMatch?: string;
}

export interface PutObjectResult {
  etag: string;
  size: number;
  eventType: Extract<BlobEventType, 'created' | 'updated'>;
  sequencer: string;
}

/** Inclusive byte offsets, as in HTTP; `end` past the object is clamped. */
export type ByteRange = { start: number; end?: number } | { suffix: number };

export interface GetObjectOptions {
  range?: ByteRange;
  /** Fails with NIMBUS_ERR_BLOB_NOT_MODIFIED (304) when the current object matches. */
  ifNoneMatch?: string;
  /** Fails with NIMBUS_ERR_BLOB_PRECONDITION_FAILED (412) unless the current object matches. */
  ifMatch?: string;
}

export interface GetObjectResult {
  meta: BlobObjectMeta;
  /** The bytes served: the whole object, or `range` when one was asked for. */
  body: Readable;
  /** The resolved, inclusive range when one was asked for. */
  range?: { start: number; end: number };
}

export interface DeleteObjectOptions {
  ifMatch?: string;
}

export interface DeleteObjectResult {
  /** False when there was nothing to delete (no event is recorded then). */
  deleted: boolean;
  sequencer?: string;
}

export interface ListOptions {
  prefix?: string;
  /** Groups keys sharing `prefix + … + delimiter` into one common prefix, like directories. */
  delimiter?: string;
  /** `nextCursor` of the previous page. */
  cursor?: string;
  /** Entries per page, 1..MAX_LIST_LIMIT; default DEFAULT_LIST_LIMIT. */
  limit?: number;
}

export interface ListedObject {
  key: string;
  size: number;
  etag: string;
  contentType: string;
  lastModified: number;
}

export interface ListResult {
  /** In key order (UTF-8 byte order). */
  objects: ListedObject[];
  commonPrefixes: string[];
  /** Present when more entries follow. Opaque. */
  nextCursor: string | null;
}

export interface BucketInfo {
  name: string;
  createdAt: number;
}

/**
 * Where blobs live: local files on one machine, an S3-compatible store on
 * many. Every write records its event (created / updated / deleted) in the
 * same atomic step; see BlobEventLog. Errors are BlobErrors.
 */
export interface BlobBackend {
  putObject(bucket: string, key: string, body: Readable, options?: PutObjectOptions): Promise<PutObjectResult>;
  getObject(bucket: string, key: string, options?: GetObjectOptions): Promise<GetObjectResult>;
  headObject(bucket: string, key: string): Promise<BlobObjectMeta>;
  deleteObject(bucket: string, key: string, options?: DeleteObjectOptions): Promise<DeleteObjectResult>;
  list(bucket: string, options?: ListOptions): Promise<ListResult>;
  /** Idempotent: `created` is false when the bucket already existed. Buckets are also created by their first write. */
  createBucket(bucket: string): Promise<{ created: boolean }>;
  listBuckets(): Promise<BucketInfo[]>;
  /** Only an empty bucket: NIMBUS_ERR_BLOB_BUCKET_NOT_EMPTY (409) otherwise. */
  deleteBucket(bucket: string): Promise<void>;
  close(): Promise<void>;
}
