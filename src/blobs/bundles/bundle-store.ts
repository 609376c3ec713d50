import { createHash, randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { open, readdir, rename, rm, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { PRIVATE_DIR_MODE } from '../../store/data-folder.js';
import { UNWATCHED_STORAGE, type StorageFaults } from '../../store/storage-faults.js';

/** The name a stored file gets: the sha256 of its content, so the same content always has the same name (the CLI computes it too). */
export function contentHash(content: string | Uint8Array): string {
  return createHash('sha256').update(content).digest('hex');
}

/**
 * Readable by others, unlike everything else in the data folder: a strict
 * sandbox runs as "nobody" and is given the bundle by a hard link, which
 * shares this mode. The data folder itself is 0700, so no other user reaches
 * a bundle through it (docs/security.md).
 */
const BUNDLE_FILE_MODE = 0o644;

export type BundleExtension = '.mjs' | '.mjs.map';

/** A stored file: `<hash><extension>`. */
export interface StoredBundle {
  hash: string;
  extension: BundleExtension;
  path: string;
  size: number;
}

/**
 * Deployed bundles and source maps, stored by the sha256 of their content:
 * a redeploy of the same code stores nothing new, and a stored file never changes.
 * Nothing here knows which version uses a file: the deployment registry says
 * which hashes to keep and when it is safe to sweep the rest.
 */
export interface BundleStore {
  put(content: string | Uint8Array, extension: BundleExtension): Promise<StoredBundle>;
  /** Where the file is (or will be) on this machine; it may not be there yet: see `local`. */
  path(hash: string, extension: BundleExtension): string;
  /**
   * The file on this machine, fetched first if this node never had it (a
   * cluster's shared store); instances import from the path this returns.
   */
  local(hash: string, extension: BundleExtension): Promise<string>;
  /** Deletes one stored file; a missing one is not an error. */
  remove(hash: string, extension: BundleExtension): Promise<void>;
  /**
   * Deletes every stored file whose hash is not in `keep`, and the temporary
   * files of writes a crash interrupted. The caller makes sure no put runs meanwhile.
   */
  sweep(keep: ReadonlySet<string>): Promise<string[]>;
  /** The folder on this machine that holds the files instances import. */
  readonly dir: string;
  close(): Promise<void>;
}

/** A stored bundle's file name: its content hash and extension. */
export const STORED_NAME = /^([0-9a-f]{64})(\.mjs|\.mjs\.map)$/;
const TEMP_PREFIX = '.tmp-';

export class LocalBundleStore implements BundleStore {
  readonly #faults: StorageFaults;

  /**
   * Makes the folder now and never again: if it vanishes under a running
   * node, deploys fail as a lost store rather than write into a fresh folder
   * that vanishes with the rest.
   */
  constructor(readonly dir: string, faults: StorageFaults = UNWATCHED_STORAGE) {
    mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
    this.#faults = faults;
    faults.watchFolder('bundles', dir);
  }

  path(hash: string, extension: BundleExtension): string {
    return join(this.dir, `${hash}${extension}`);
  }

  async local(hash: string, extension: BundleExtension): Promise<string> {
    return this.path(hash, extension);
  }

  /** Whether the file is here. */
  async has(hash: string, extension: BundleExtension): Promise<boolean> {
    return stat(this.path(hash, extension)).then(() => true, () => false);
  }

  async close(): Promise<void> {
    // Nothing held open.
  }

  async put(content: string | Uint8Array, extension: BundleExtension): Promise<StoredBundle> {
    this.#faults.assertWritable('bundles');
    const bytes = typeof content === 'string' ? Buffer.from(content) : content;
    const hash = contentHash(bytes);
    const target = this.path(hash, extension);
    if (!(await this.has(hash, extension))) {
      // Write, fsync, rename: a crash leaves the old state or the whole file, never half of one.
      const temp = join(this.dir, `${TEMP_PREFIX}${randomUUID()}`);
      try {
        const handle = await open(temp, 'wx', BUNDLE_FILE_MODE);
        try {
          await handle.writeFile(bytes);
          await handle.sync();
        } finally {
          await handle.close();
        }
        await rename(temp, target);
      } catch (err) {
        await rm(temp, { force: true }).catch(() => undefined);
        throw this.#faults.fault('bundles', err, { missingMeansLost: true });
      }
      this.#faults.succeeded('bundles');
    }
    return { hash, extension, path: target, size: bytes.byteLength };
  }

  async remove(hash: string, extension: BundleExtension): Promise<void> {
    await unlink(this.path(hash, extension)).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOENT') throw err;
    });
  }

  async sweep(keep: ReadonlySet<string>): Promise<string[]> {
    const names = await readdir(this.dir).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return [] as string[];
      throw err;
    });
    const removed: string[] = [];
    for (const name of names) {
      const stored = STORED_NAME.exec(name);
      const orphan = stored ? !keep.has(stored[1]!) : name.startsWith(TEMP_PREFIX);
      if (!orphan) continue;
      await unlink(join(this.dir, name)).then(() => removed.push(name), (err: NodeJS.ErrnoException) => {
        if (err.code !== 'ENOENT') throw err;
      });
    }
    return removed;
  }
}
