import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import { systemClock, type Clock, type TimerHandle } from '../shared/clock.js';
import { UNWATCHED_STORAGE, type StorageFaults } from '../store/storage-faults.js';
import {
  MAX_OBJECT_BYTES,
  type BlobBackend, BlobObjectMeta, BucketInfo, ByteRange, DeleteObjectOptions, DeleteObjectResult,
  GetObjectOptions, GetObjectResult, ListOptions, ListResult, PutObjectOptions, PutObjectResult,
} from './blob-backend.js';
import type { BlobDataStore } from './blob-data-store.js';
import { BlobError } from './blob-errors.js';
import type { BlobIndex, IndexedObject } from './blob-index.js';
import { validateBucketName, validateContentType, validateKey, validateMetadata } from './blob-names.js';
import { conditionMatches } from './etag.js';

/** A get that loses the race with an overwrite re-reads the index this many times. */
const MAX_OPEN_RETRIES = 5;

export interface OrphanSweepOptions {
  /**
   * Only data objects written longer ago than this are swept. 0 is right
   * only when no write can be in flight (one node, at open); with several
   * nodes on one object store it must exceed the longest upload, or a sweep
   * would remove bytes another node is about to commit.
   */
  graceMs: number;
  /** Sweeps again this often (first one after this long); none when absent. */
  everyMs?: number;
  /** A periodic sweep that failed (it runs again at the next period). */
  onError?: (err: unknown) => void;
}

export interface IndexedBlobBackendOptions {
  data: BlobDataStore;
  index: BlobIndex;
  maxObjectBytes?: number;
  /** Told about every write, and names storage faults (full disk: 507; lost folder, unreachable store: 503). */
  faults?: StorageFaults;
  clock?: Clock;
  sweep?: OrphanSweepOptions;
}

/**
 * Blobs as immutable data objects plus an index that names them. A put
 * streams the bytes into a fresh data object, then one index commit checks
 * the conditions, points the key at the new data and records the event: old
 * or new, never torn, and the event exists exactly when the object does.
 * Data that never got committed (a refused condition, a crash, a killed node)
 * is unreferenced: removed at once when we can, else by the orphan sweep.
 */
export class IndexedBlobBackend implements BlobBackend {
  readonly #data: BlobDataStore;
  readonly #index: BlobIndex;
  readonly #maxObjectBytes: number;
  readonly #faults: StorageFaults;
  readonly #clock: Clock;
  readonly #sweep: OrphanSweepOptions;
  #sweepTimer: TimerHandle | null = null;
  #sweeping: Promise<number> | null = null;
  #closed = false;

  constructor(options: IndexedBlobBackendOptions) {
    this.#data = options.data;
    this.#index = options.index;
    this.#maxObjectBytes = options.maxObjectBytes ?? MAX_OBJECT_BYTES;
    this.#faults = options.faults ?? UNWATCHED_STORAGE;
    this.#clock = options.clock ?? systemClock;
    this.#sweep = options.sweep ?? { graceMs: 0 };
    this.#scheduleSweep();
  }

  async putObject(bucket: string, key: string, body: Readable, options: PutObjectOptions = {}): Promise<PutObjectResult> {
    // The body may fail (client gone) while we await below, before anything reads it: an
    // unheard 'error' would crash the process. The read loop still sees the error.
    body.on('error', ignore);
    this.#faults.assertWritable('blobs');
    validateBucketName(bucket);
    validateKey(key);
    const contentType = validateContentType(options.contentType);
    const metadata = validateMetadata(options.metadata);
    // Checked again inside the commit; checking first spares uploading bytes that would be refused.
    if (options.ifMatch !== undefined || options.ifNoneMatch !== undefined) {
      const current = await this.#index.getObject(bucket, key);
      if (options.ifMatch !== undefined && !conditionMatches(options.ifMatch, current?.etag)) {
        throw new BlobError('NIMBUS_ERR_BLOB_PRECONDITION_FAILED', 'If-Match does not match the current object', { field: 'If-Match' });
      }
      if (options.ifNoneMatch !== undefined && conditionMatches(options.ifNoneMatch, current?.etag)) {
        throw new BlobError('NIMBUS_ERR_BLOB_PRECONDITION_FAILED', 'If-None-Match: the object exists', { field: 'If-None-Match' });
      }
    }
    const dataId = newDataId();
    const { size, etag } = await this.#data.write(dataId, body, this.#maxObjectBytes);
    let committed;
    try {
      committed = await this.#index.commitPut({ bucket, key, dataId, size, etag, contentType, metadata, ...conditions(options) });
    } catch (err) {
      await this.#removeData(dataId);
      throw err;
    }
    this.#faults.succeeded('blobs');
    if (committed.supersededDataId) await this.#removeData(committed.supersededDataId);
    return { etag, size, eventType: committed.eventType, sequencer: committed.sequencer };
  }

  async getObject(bucket: string, key: string, options: GetObjectOptions = {}): Promise<GetObjectResult> {
    validateBucketName(bucket);
    validateKey(key);
    for (let attempt = 0; ; attempt++) {
      const object = await this.#require(bucket, key);
      if (options.ifMatch !== undefined && !conditionMatches(options.ifMatch, object.etag)) {
        throw new BlobError('NIMBUS_ERR_BLOB_PRECONDITION_FAILED', 'If-Match does not match the current object', { field: 'If-Match' });
      }
      if (options.ifNoneMatch !== undefined && conditionMatches(options.ifNoneMatch, object.etag)) {
        throw new BlobError('NIMBUS_ERR_BLOB_NOT_MODIFIED', undefined, { etag: object.etag });
      }
      const range = options.range ? resolveRange(options.range, object.size) : undefined;
      const body = await this.#data.read(object.dataId, range);
      if (body) return { meta: toMeta(object), body, ...(range ? { range } : {}) };
      // An overwrite committed and removed this data between our index read and the open: read again.
      if (attempt < MAX_OPEN_RETRIES) continue;
      const missing = new BlobError('NIMBUS_ERR_BLOB_DATA_MISSING', `${bucket}/${key} (data object ${object.dataId})`, { bucket, key, dataId: object.dataId });
      // A lost data folder explains it; say that instead when it is so.
      throw this.#faults.missing('blobs', missing);
    }
  }

  async headObject(bucket: string, key: string): Promise<BlobObjectMeta> {
    validateBucketName(bucket);
    validateKey(key);
    return toMeta(await this.#require(bucket, key));
  }

  async deleteObject(bucket: string, key: string, options: DeleteObjectOptions = {}): Promise<DeleteObjectResult> {
    validateBucketName(bucket);
    validateKey(key);
    const committed = await this.#index.commitDelete(bucket, key, options);
    if (committed.supersededDataId) await this.#removeData(committed.supersededDataId);
    return committed.deleted ? { deleted: true, sequencer: committed.sequencer as string } : { deleted: false };
  }

  async list(bucket: string, options: ListOptions = {}): Promise<ListResult> {
    validateBucketName(bucket);
    return this.#index.list(bucket, options);
  }

  async createBucket(bucket: string): Promise<{ created: boolean }> {
    validateBucketName(bucket);
    return this.#index.createBucket(bucket);
  }

  async listBuckets(): Promise<BucketInfo[]> {
    return this.#index.listBuckets();
  }

  async deleteBucket(bucket: string): Promise<void> {
    validateBucketName(bucket);
    await this.#index.deleteBucket(bucket);
  }

  /**
   * Removes data objects no key points at that were written longer ago than
   * the grace period. Returns how many it removed.
   */
  sweepOrphans(): Promise<number> {
    // One sweep at a time; close() waits for it rather than pull the data store from under it.
    this.#sweeping ??= this.#sweepOnce().finally(() => (this.#sweeping = null));
    return this.#sweeping;
  }

  async #sweepOnce(): Promise<number> {
    const { graceMs } = this.#sweep;
    const writtenBefore = this.#clock.now() - graceMs;
    let removed = 0;
    for await (const page of this.#data.list()) {
      const oldEnough = page.filter((d) => graceMs === 0 || (d.writtenAt !== undefined && d.writtenAt < writtenBefore));
      if (oldEnough.length === 0) continue;
      for (const dataId of await this.#index.unreferencedDataIds(oldEnough.map((d) => d.dataId))) {
        await this.#data.remove(dataId).then(() => removed++, ignore);
      }
    }
    return removed;
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#sweepTimer) this.#clock.clearTimeout(this.#sweepTimer);
    await this.#sweeping?.catch(ignore);
    // The index's database belongs to the caller; the data store is ours.
    await this.#data.close();
  }

  #scheduleSweep(): void {
    const { everyMs, onError } = this.#sweep;
    if (everyMs === undefined || this.#closed) return;
    this.#sweepTimer = this.#clock.setTimeout(() => {
      this.sweepOrphans().catch((err: unknown) => onError?.(err)).finally(() => this.#scheduleSweep());
    }, everyMs);
    this.#sweepTimer.unref();
  }

  async #require(bucket: string, key: string): Promise<IndexedObject> {
    const object = await this.#index.getObject(bucket, key);
    if (object) return object;
    if (!(await this.#index.bucketExists(bucket))) throw new BlobError('NIMBUS_ERR_BLOB_BUCKET_NOT_FOUND', bucket, { bucket });
    throw new BlobError('NIMBUS_ERR_BLOB_NOT_FOUND', `${bucket}/${key}`, { bucket, key });
  }

  async #removeData(dataId: string): Promise<void> {
    // Best effort: data left behind is unreferenced and the sweep takes it.
    await this.#data.remove(dataId).catch(ignore);
  }
}

/** 32 hex digits: a valid file name and S3 key, and what the sweeps recognise. */
function newDataId(): string {
  return randomUUID().replaceAll('-', '');
}

/** Resolves an HTTP-style range against the object's size (inclusive offsets). */
export function resolveRange(range: ByteRange, size: number): { start: number; end: number } {
  const unsatisfiable = (): never => {
    throw new BlobError('NIMBUS_ERR_BLOB_RANGE_NOT_SATISFIABLE', `the object has ${size} bytes`, { size });
  };
  if ('suffix' in range) {
    if (!Number.isSafeInteger(range.suffix) || range.suffix < 0) {
      throw new BlobError('NIMBUS_ERR_BLOB_INVALID_REQUEST', 'range.suffix must be a non-negative integer', { field: 'range' });
    }
    if (range.suffix === 0 || size === 0) return unsatisfiable();
    return { start: Math.max(0, size - range.suffix), end: size - 1 };
  }
  const { start, end } = range;
  if (!Number.isSafeInteger(start) || start < 0 || (end !== undefined && (!Number.isSafeInteger(end) || end < start))) {
    throw new BlobError('NIMBUS_ERR_BLOB_INVALID_REQUEST', 'range must have 0 <= start <= end', { field: 'range' });
  }
  if (start >= size) return unsatisfiable();
  return { start, end: Math.min(end ?? size - 1, size - 1) };
}

function ignore(): void {}

function conditions(options: PutObjectOptions): { ifMatch?: string; ifNoneMatch?: string } {
  return {
    ...(options.ifMatch !== undefined ? { ifMatch: options.ifMatch } : {}),
    ...(options.ifNoneMatch !== undefined ? { ifNoneMatch: options.ifNoneMatch } : {}),
  };
}

function toMeta(object: IndexedObject): BlobObjectMeta {
  const { dataId: _dataId, ...meta } = object;
  return meta;
}
