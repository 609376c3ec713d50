import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand, paginateListObjectsV2 } from '@aws-sdk/client-s3';
import { systemClock, type Clock } from '../../shared/clock.js';
import { UNWATCHED_STORAGE, type StorageFaults } from '../../store/storage-faults.js';
import { contentHash, STORED_NAME, type BundleExtension, type BundleStore, type LocalBundleStore, type StoredBundle } from '../bundles/bundle-store.js';
import type { S3Location } from './s3-client.js';
import { MAX_BUNDLE_BYTES } from '../../server/version-content.js';


export interface S3BundleStoreOptions {
  location: S3Location;
  /** This node's copies, which instances import. */
  cache: LocalBundleStore;
  /** Stored bundles younger than this are never swept: another node may be deploying them right now. */
  sweepGraceMs: number;
  faults?: StorageFaults;
  clock?: Clock;
}

/**
 * Bundles for a cluster: the shared copy in the object store at
 * `<prefix>bundles/<sha256><extension>`, and each node's own copy on its
 * disk. A deploy writes both; a node that never saw the deploy fetches the
 * file on first need, checks that its content hashes to its name, and serves
 * from its disk from then on. Content-addressed, so a cached file never goes stale.
 */
export class S3BundleStore implements BundleStore {
  readonly #location: S3Location;
  readonly #cache: LocalBundleStore;
  readonly #graceMs: number;
  readonly #faults: StorageFaults;
  readonly #clock: Clock;
  /** Files known to be on disk: the request path asks often, the disk need not be asked every time. */
  readonly #cached = new Set<string>();
  /** One fetch per file however many instances start at once. */
  readonly #fetching = new Map<string, Promise<string>>();

  constructor(options: S3BundleStoreOptions) {
    this.#location = options.location;
    this.#cache = options.cache;
    this.#graceMs = options.sweepGraceMs;
    this.#faults = options.faults ?? UNWATCHED_STORAGE;
    this.#clock = options.clock ?? systemClock;
  }

  get dir(): string {
    return this.#cache.dir;
  }

  path(hash: string, extension: BundleExtension): string {
    return this.#cache.path(hash, extension);
  }

  async put(content: string | Uint8Array, extension: BundleExtension): Promise<StoredBundle> {
    const stored = await this.#cache.put(content, extension);
    // Written again even when present: that renews its age, so a sweep's grace period protects it while this deploy commits.
    try {
      await this.#location.client.send(new PutObjectCommand({
        Bucket: this.#location.bucket, Key: this.#key(stored.hash, extension),
        Body: typeof content === 'string' ? Buffer.from(content) : content, ContentType: 'text/javascript',
      }));
    } catch (err) {
      throw this.#faults.fault('bundles', err);
    }
    this.#faults.succeeded('bundles');
    this.#cached.add(stored.hash + extension);
    return stored;
  }

  async local(hash: string, extension: BundleExtension): Promise<string> {
    const name = hash + extension;
    if (this.#cached.has(name)) return this.path(hash, extension);
    let fetching = this.#fetching.get(name);
    if (!fetching) {
      fetching = this.#fetch(hash, extension).finally(() => this.#fetching.delete(name));
      this.#fetching.set(name, fetching);
    }
    return fetching;
  }

  async remove(hash: string, extension: BundleExtension): Promise<void> {
    this.#cached.delete(hash + extension);
    await this.#cache.remove(hash, extension);
    try {
      await this.#location.client.send(new DeleteObjectCommand({ Bucket: this.#location.bucket, Key: this.#key(hash, extension) }));
    } catch (err) {
      throw this.#faults.fault('bundles', err);
    }
  }

  /**
   * Sweeps this node's copies, then the shared ones: those not kept and
   * older than the grace period (a deploy on another node writes its bundle
   * before the version that references it commits).
   */
  async sweep(keep: ReadonlySet<string>): Promise<string[]> {
    const removed = await this.#cache.sweep(keep);
    for (const name of removed) this.#cached.delete(name);
    const writtenBefore = this.#clock.now() - this.#graceMs;
    const prefix = `${this.#location.prefix}bundles/`;
    try {
      for await (const page of paginateListObjectsV2({ client: this.#location.client }, { Bucket: this.#location.bucket, Prefix: prefix })) {
        for (const object of page.Contents ?? []) {
          const name = object.Key?.slice(prefix.length) ?? '';
          const stored = STORED_NAME.exec(name);
          if (!stored || keep.has(stored[1]!) || !object.LastModified || object.LastModified.getTime() >= writtenBefore) continue;
          await this.#location.client.send(new DeleteObjectCommand({ Bucket: this.#location.bucket, Key: object.Key }));
          removed.push(`s3:${name}`);
        }
      }
    } catch (err) {
      throw this.#faults.fault('bundles', err);
    }
    return removed;
  }

  async close(): Promise<void> {
    this.#location.client.destroy();
  }

  async #fetch(hash: string, extension: BundleExtension): Promise<string> {
    if (await this.#cache.has(hash, extension)) {
      this.#cached.add(hash + extension);
      return this.path(hash, extension);
    }
    let bytes: Uint8Array;
    try {
      const answer = await this.#location.client.send(new GetObjectCommand({ Bucket: this.#location.bucket, Key: this.#key(hash, extension) }));
      // No deploy stores more: an object larger than that was not written by Nimbus and is not read into memory.
      if ((answer.ContentLength ?? 0) > MAX_BUNDLE_BYTES) {
        (answer.Body as { destroy?: () => void } | undefined)?.destroy?.();
        throw new Error(`bundle ${hash}${extension} in the S3 bucket is ${answer.ContentLength} bytes, more than a deploy stores (${MAX_BUNDLE_BYTES}): refused`);
      }
      bytes = await answer.Body!.transformToByteArray();
    } catch (err) {
      if ((err as { name?: string }).name === 'NoSuchKey') {
        throw new Error(`bundle ${hash}${extension} is neither on this node nor in the S3 bucket "${this.#location.bucket}" (was it removed by hand?)`);
      }
      throw this.#faults.fault('bundles', err);
    }
    const actual = contentHash(bytes);
    // Never run code that is not what was deployed: a damaged or replaced object is refused, not cached.
    if (actual !== hash) throw new Error(`bundle ${hash}${extension} fetched from S3 has the content hash ${actual}: refused`);
    const stored = await this.#cache.put(bytes, extension);
    this.#cached.add(hash + extension);
    return stored.path;
  }

  #key(hash: string, extension: BundleExtension): string {
    return `${this.#location.prefix}bundles/${hash}${extension}`;
  }
}
