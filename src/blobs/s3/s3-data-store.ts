import { createHash, type Hash } from 'node:crypto';
import { Readable, Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { DeleteObjectCommand, GetObjectCommand, paginateListObjectsV2 } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { UNWATCHED_STORAGE, type StorageFaults } from '../../store/storage-faults.js';
import type { BlobDataStore, StoredData, WrittenData } from '../blob-data-store.js';
import { BlobError } from '../blob-errors.js';
import type { S3Location } from './s3-client.js';

const DATA_ID_PATTERN = /^[0-9a-f]{32}$/;

export interface S3DataStoreOptions {
  location: S3Location;
  /** Bytes per multipart part; objects up to one part go up in a single PUT. */
  partSizeBytes: number;
  /** Parts in flight per upload: memory per upload is about (queueSize + 1) × partSizeBytes. */
  queueSize: number;
  faults?: StorageFaults;
}

/**
 * Blob data as S3 objects, one per data id, at `<prefix>data/<id>` in the
 * one configured bucket. Uploads stream through lib-storage's multipart
 * Upload with bounded parts, reads stream the GET body, ranges are S3 ranges.
 * The ETag is our own MD5 of the bytes, so it is the same whatever the part
 * size (S3's own multipart ETag is not an MD5 of the object).
 */
export class S3DataStore implements BlobDataStore {
  readonly #location: S3Location;
  readonly #partSize: number;
  readonly #queueSize: number;
  readonly #faults: StorageFaults;

  constructor(options: S3DataStoreOptions) {
    this.#location = options.location;
    this.#partSize = options.partSizeBytes;
    this.#queueSize = options.queueSize;
    this.#faults = options.faults ?? UNWATCHED_STORAGE;
  }

  async write(dataId: string, body: Readable, maxBytes: number): Promise<WrittenData> {
    const measured = new MeasuringStream(maxBytes);
    // The body's own failure (client gone, too large) is the cause to report, even when the upload then
    // fails differently (an abort of the multipart upload that fails too).
    let bodyError: unknown;
    measured.once('error', (err) => (bodyError ??= err));
    // Never rejects: a body error must not go unheard while the upload still runs.
    const piped = pipeline(body, measured).catch(() => undefined);
    const upload = new Upload({
      client: this.#location.client,
      params: { Bucket: this.#location.bucket, Key: this.#key(dataId), Body: measured, ContentType: 'application/octet-stream' },
      partSize: this.#partSize,
      queueSize: this.#queueSize,
      leavePartsOnError: false,
    });
    try {
      await upload.done();
      await piped;
      if (bodyError) throw bodyError;
      return { size: measured.bytesSeen, etag: `"${measured.hash.digest('hex')}"` };
    } catch (err) {
      const cause = bodyError ?? err;
      measured.destroy();
      if (!body.destroyed) body.destroy();
      await piped;
      await this.remove(dataId).catch(() => undefined);
      throw this.#faults.fault('blobs', cause);
    }
  }

  async read(dataId: string, range?: { start: number; end: number }): Promise<Readable | undefined> {
    try {
      const answer = await this.#location.client.send(new GetObjectCommand({
        Bucket: this.#location.bucket, Key: this.#key(dataId), ...(range ? { Range: `bytes=${range.start}-${range.end}` } : {}),
      }));
      // In Node the SDK's body is the HTTP response itself: a Readable, streamed, never buffered.
      return answer.Body as Readable;
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw this.#faults.fault('blobs', err);
    }
  }

  async remove(dataId: string): Promise<void> {
    try {
      await this.#location.client.send(new DeleteObjectCommand({ Bucket: this.#location.bucket, Key: this.#key(dataId) }));
    } catch (err) {
      throw this.#faults.fault('blobs', err);
    }
  }

  async *list(): AsyncIterable<StoredData[]> {
    const dataPrefix = `${this.#location.prefix}data/`;
    const pages = paginateListObjectsV2({ client: this.#location.client }, { Bucket: this.#location.bucket, Prefix: dataPrefix });
    try {
      for await (const page of pages) {
        const found: StoredData[] = [];
        for (const object of page.Contents ?? []) {
          const dataId = object.Key?.slice(dataPrefix.length) ?? '';
          if (!DATA_ID_PATTERN.test(dataId)) continue;
          found.push({ dataId, ...(object.LastModified ? { writtenAt: object.LastModified.getTime() } : {}) });
        }
        yield found;
      }
    } catch (err) {
      throw this.#faults.fault('blobs', err);
    }
  }

  async close(): Promise<void> {
    this.#location.client.destroy();
  }

  #key(dataId: string): string {
    return `${this.#location.prefix}data/${dataId}`;
  }
}

/** Passes bytes through while counting and hashing them; fails past the limit. */
class MeasuringStream extends Transform {
  readonly hash: Hash = createHash('md5');
  /** Not `size`: lib-storage reads a body's `size` as its length before the first byte flows. */
  bytesSeen = 0;

  constructor(private readonly maxBytes: number) {
    super();
  }

  override _transform(chunk: Buffer | string, _encoding: BufferEncoding, callback: TransformCallback): void {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    this.bytesSeen += bytes.length;
    if (this.bytesSeen > this.maxBytes) {
      callback(new BlobError('NIMBUS_ERR_BLOB_TOO_LARGE', `more than ${this.maxBytes} bytes`));
      return;
    }
    this.hash.update(bytes);
    callback(null, bytes);
  }
}

function isNotFound(err: unknown): boolean {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e.name === 'NoSuchKey' || e.name === 'NotFound' || e.$metadata?.httpStatusCode === 404;
}
