import { createHash } from 'node:crypto';
import { mkdir, open, readdir, rename, rm, type FileHandle } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { PRIVATE_DIR_MODE, PRIVATE_FILE_MODE } from '../../store/data-folder.js';
import { UNWATCHED_STORAGE, type StorageFaults } from '../../store/storage-faults.js';
import { BlobError } from '../blob-errors.js';
import type { BlobDataStore, StoredData, WrittenData } from '../blob-data-store.js';

/** Bytes gathered before one write to disk. */
const WRITE_BATCH_BYTES = 1024 * 1024;
/** Reads stream in chunks this large: fewer reads than the 64 KiB default. */
const READ_CHUNK_BYTES = 1024 * 1024;
const DATA_ID_PATTERN = /^[0-9a-f]{32}$/;

/**
 * Blob data as files on one machine: `<root>/data/<xx>/<id>`, written to
 * `<root>/tmp/` while hashed, synced, then renamed into place.
 *
 * Folders are made at open and never again: if they vanish under a running
 * node (the data folder was deleted), writes fail as a lost store instead of
 * landing in fresh folders that vanish with the rest. Files are 0600.
 */
export class LocalDataStore implements BlobDataStore {
  readonly #root: string;
  readonly #faults: StorageFaults;

  private constructor(root: string, faults: StorageFaults) {
    this.#root = root;
    this.#faults = faults;
  }

  /** Makes the folders and empties `tmp/` (writes a crash interrupted). Run before any write. */
  static async open(root: string, faults: StorageFaults = UNWATCHED_STORAGE): Promise<LocalDataStore> {
    await rm(join(root, 'tmp'), { recursive: true, force: true });
    await mkdir(join(root, 'tmp'), { recursive: true, mode: PRIVATE_DIR_MODE });
    await mkdir(join(root, 'data'), { recursive: true, mode: PRIVATE_DIR_MODE });
    faults.watchFolder('blobs', root);
    return new LocalDataStore(root, faults);
  }

  async write(dataId: string, body: Readable, maxBytes: number): Promise<WrittenData> {
    const tmpPath = join(this.#root, 'tmp', dataId);
    const dataPath = this.#dataPath(dataId);
    try {
      const written = await writeSynced(tmpPath, body, maxBytes);
      await mkdir(dirname(dataPath), { mode: PRIVATE_DIR_MODE }).catch(ignoreExisting);
      await rename(tmpPath, dataPath);
      return written;
    } catch (err) {
      await rm(tmpPath, { force: true }).catch(ignore);
      // A path missing in folders made at open means they were taken away.
      throw this.#faults.fault('blobs', err, { missingMeansLost: true });
    }
  }

  async read(dataId: string, range?: { start: number; end: number }): Promise<Readable | undefined> {
    let handle: FileHandle;
    try {
      handle = await open(this.#dataPath(dataId), 'r');
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw this.#faults.fault('blobs', err);
    }
    // Once open, the bytes stay readable even if an overwrite unlinks the file.
    return handle.createReadStream({ highWaterMark: READ_CHUNK_BYTES, ...(range ? { start: range.start, end: range.end } : {}) });
  }

  async remove(dataId: string): Promise<void> {
    await rm(this.#dataPath(dataId), { force: true });
  }

  async *list(): AsyncIterable<StoredData[]> {
    const dataRoot = join(this.#root, 'data');
    for (const shard of await readdir(dataRoot)) {
      const names = await readdir(join(dataRoot, shard)).catch(() => [] as string[]);
      yield names.filter((n) => DATA_ID_PATTERN.test(n)).map((dataId) => ({ dataId }));
    }
  }

  async close(): Promise<void> {
    // Nothing held open between calls.
  }

  #dataPath(dataId: string): string {
    return join(this.#root, 'data', dataId.slice(0, 2), dataId);
  }
}

/**
 * Streams to `path` while hashing. Chunks are gathered into writes of up to
 * WRITE_BATCH_BYTES (far fewer syscalls than one per socket chunk). One batch
 * is written while the next one arrives and is hashed, never more: memory
 * stays near twice that bound whatever the object's size, and a disk slower
 * than the sender holds the body back (backpressure) instead of buffering it.
 */
async function writeSynced(path: string, body: Readable, maxBytes: number): Promise<WrittenData> {
  const hash = createHash('md5');
  let size = 0;
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let writing: Promise<void> = Promise.resolve();
  const handle = await open(path, 'wx', PRIVATE_FILE_MODE);
  try {
    for await (const chunk of body as AsyncIterable<Buffer | string>) {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      size += bytes.length;
      if (size > maxBytes) throw new BlobError('NIMBUS_ERR_BLOB_TOO_LARGE', `more than ${maxBytes} bytes`);
      hash.update(bytes);
      pending.push(bytes);
      pendingBytes += bytes.length;
      if (pendingBytes >= WRITE_BATCH_BYTES) {
        // The previous batch first: writes stay in order, and at most one is in flight.
        await writing;
        writing = writeAll(handle, pending);
        // Its failure is met at the next await; until then it must not count as unhandled.
        writing.catch(ignore);
        pending = [];
        pendingBytes = 0;
      }
    }
    await writing;
    await writeAll(handle, pending);
    // Durable before the index points at it: a commit must never name half-written data.
    await handle.sync();
  } finally {
    // A batch still being written when the body failed must finish before its file closes.
    await writing.catch(ignore);
    await handle.close();
  }
  return { size, etag: `"${hash.digest('hex')}"` };
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

function isNotFound(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as NodeJS.ErrnoException).code === 'ENOENT';
}
