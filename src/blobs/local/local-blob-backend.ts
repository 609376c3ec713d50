import { createHash, randomUUID } from 'node:crypto';
import { mkdir, open, readdir, rename, rm, unlink, type FileHandle } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { PRIVATE_DIR_MODE, PRIVATE_FILE_MODE } from '../../store/data-folder.js';
import { UNWATCHED_STORAGE, type StorageFaults } from '../../store/storage-faults.js';
import {
  MAX_OBJECT_BYTES,
  type BlobBackend, BlobObjectMeta, BucketInfo, ByteRange, DeleteObjectOptions, DeleteObjectResult,
  GetObjectOptions, GetObjectResult, ListOptions, ListResult, PutObjectOptions, PutObjectResult,
} from '../blob-backend.js';
import { BlobError } from '../blob-errors.js';
import type { BlobIndex, IndexedObject } from '../blob-index.js';
import { validateBucketName, validateContentType, validateKey, validateMetadata } from '../blob-names.js';
import { conditionMatches } from '../etag.js';

/** A get that loses the race with an overwrite re-reads the index this many times. */
const MAX_OPEN_RETRIES = 5;
/** Bytes gathered before one write to disk. */
const WRITE_BATCH_BYTES = 1024 * 1024;
/** Reads stream in chunks this large: fewer reads than the 64 KiB default. */
const READ_CHUNK_BYTES = 1024 * 1024;
const DATA_ID_PATTERN = /^[0-9a-f]{32}$/;

export interface LocalBlobBackendOptions {
  /** Folder for blob data: `<root>/data/<xx>/<id>` and `<root>/tmp/`. */
  root: string;
  index: BlobIndex;
  maxObjectBytes?: number;
  /** Told about every write, and names storage faults (full disk: 507; lost folder: 503). */
  faults?: StorageFaults;
}

/**
 * Blobs as files on one machine. Bytes stream to a temporary file while
 * hashed, are synced and moved to a file named by a fresh id; the index
 * commit then points the key at that id. Old or new, never torn: a crash
 * before the commit leaves only an unreferenced file, swept at the next open.
 *
 * Folders are made at open and never again: if they vanish under a running
 * node (the data folder was deleted), writes fail as a lost store instead of
 * landing in fresh folders that vanish with the rest. Files are 0600.
 */
export class LocalBlobBackend implements BlobBackend {
  readonly #root: string;
  readonly #index: BlobIndex;
  readonly #maxObjectBytes: number;
  readonly #faults: StorageFaults;

  private constructor(options: LocalBlobBackendOptions) {
    this.#root = options.root;
    this.#index = options.index;
    this.#maxObjectBytes = options.maxObjectBytes ?? MAX_OBJECT_BYTES;
    this.#faults = options.faults ?? UNWATCHED_STORAGE;
  }

  /** Creates the folders and sweeps what a crash left behind. Run before any write. */
  static async open(options: LocalBlobBackendOptions): Promise<LocalBlobBackend> {
    const backend = new LocalBlobBackend(options);
    await backend.#sweep();
    backend.#faults.watchFolder('blobs', options.root);
    return backend;
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
    const dataId = randomUUID().replaceAll('-', '');
    const tmpPath = join(this.#root, 'tmp', dataId);
    const dataPath = this.#dataPath(dataId);
    let written: { size: number; etag: string };
    try {
      written = await this.#writeSynced(tmpPath, body);
      await mkdir(dirname(dataPath), { mode: PRIVATE_DIR_MODE }).catch(ignoreExisting);
      await rename(tmpPath, dataPath);
    } catch (err) {
      await rm(tmpPath, { force: true }).catch(ignore);
      // A path missing in folders made at open means they were taken away.
      throw this.#faults.fault('blobs', err, { missingMeansLost: true });
    }
    const { size, etag } = written;
    let committed;
    try {
      committed = await this.#index.commitPut({ bucket, key, dataId, size, etag, contentType, metadata, ...conditions(options) });
    } catch (err) {
      await rm(dataPath, { force: true }).catch(ignore);
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
      let handle: FileHandle;
      try {
        handle = await open(this.#dataPath(object.dataId), 'r');
      } catch (err) {
        // An overwrite committed and removed this data between our index read and the open: read again.
        if (isNotFound(err) && attempt < MAX_OPEN_RETRIES) continue;
        throw isNotFound(err) ? this.#faults.missing('blobs', err) : this.#faults.fault('blobs', err);
      }
      // Once open, the bytes stay readable even if an overwrite unlinks the file.
      const body = handle.createReadStream({ highWaterMark: READ_CHUNK_BYTES, ...(range ? { start: range.start, end: range.end } : {}) });
      return { meta: toMeta(object), body, ...(range ? { range } : {}) };
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

  async close(): Promise<void> {
    // Nothing held open between calls; the index's database belongs to the caller.
  }

  async #require(bucket: string, key: string): Promise<IndexedObject> {
    const object = await this.#index.getObject(bucket, key);
    if (object) return object;
    if (!(await this.#index.bucketExists(bucket))) throw new BlobError('NIMBUS_ERR_BLOB_BUCKET_NOT_FOUND', bucket, { bucket });
    throw new BlobError('NIMBUS_ERR_BLOB_NOT_FOUND', `${bucket}/${key}`, { bucket, key });
  }

  /**
   * Streams to `path` while hashing. Chunks are gathered into writes of up to
   * WRITE_BATCH_BYTES (far fewer syscalls than one per socket chunk), so memory
   * stays near that bound whatever the object's size.
   */
  async #writeSynced(path: string, body: Readable): Promise<{ size: number; etag: string }> {
    const hash = createHash('md5');
    let size = 0;
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    const handle = await open(path, 'wx', PRIVATE_FILE_MODE);
    try {
      for await (const chunk of body as AsyncIterable<Buffer | string>) {
        const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
        size += bytes.length;
        if (size > this.#maxObjectBytes) {
          throw new BlobError('NIMBUS_ERR_BLOB_TOO_LARGE', `more than ${this.#maxObjectBytes} bytes`);
        }
        hash.update(bytes);
        pending.push(bytes);
        pendingBytes += bytes.length;
        if (pendingBytes >= WRITE_BATCH_BYTES) {
          await writeAll(handle, pending);
          pending = [];
          pendingBytes = 0;
        }
      }
      await writeAll(handle, pending);
      // Durable before the index points at it: a commit must never name half-written data.
      await handle.sync();
    } finally {
      await handle.close();
    }
    return { size, etag: `"${hash.digest('hex')}"` };
  }

  #dataPath(dataId: string): string {
    return join(this.#root, 'data', dataId.slice(0, 2), dataId);
  }

  async #removeData(dataId: string): Promise<void> {
    // Best effort: a file left behind is unreferenced and swept at the next open.
    await rm(this.#dataPath(dataId), { force: true }).catch(() => undefined);
  }

  async #sweep(): Promise<void> {
    await rm(join(this.#root, 'tmp'), { recursive: true, force: true });
    await mkdir(join(this.#root, 'tmp'), { recursive: true, mode: PRIVATE_DIR_MODE });
    const dataRoot = join(this.#root, 'data');
    await mkdir(dataRoot, { recursive: true, mode: PRIVATE_DIR_MODE });
    for (const shard of await readdir(dataRoot)) {
      const names = await readdir(join(dataRoot, shard)).catch(() => [] as string[]);
      const ids = names.filter((n) => DATA_ID_PATTERN.test(n));
      for (const id of await this.#index.unreferencedDataIds(ids)) await unlink(join(dataRoot, shard, id)).catch(() => undefined);
    }
  }
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

async function writeAll(handle: FileHandle, buffers: Buffer[]): Promise<void> {
  let rest = buffers.filter((b) => b.length > 0);
  while (rest.length > 0) {
    let { bytesWritten } = await handle.writev(rest);
    // A short write: drop what was written and retry the remainder.
    while (rest.length > 0 && bytesWritten >= (rest[0] as Buffer).length) bytesWritten -= (rest.shift() as Buffer).length;
    if (rest.length > 0 && bytesWritten > 0) rest[0] = (rest[0] as Buffer).subarray(bytesWritten);
  }
}

function ignore(): void {}

function ignoreExisting(err: unknown): void {
  if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
}

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

function isNotFound(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as NodeJS.ErrnoException).code === 'ENOENT';
}
