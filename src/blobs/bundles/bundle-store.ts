import { createHash, randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { open, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { PRIVATE_DIR_MODE } from '../../store/data-folder.js';
import { UNWATCHED_STORAGE, type StorageFaults } from '../../store/storage-faults.js';

/**
 * Readable by others, unlike everything else in the data folder: a strict
 * sandbox runs as "nobody" and is given the bundle by a hard link, which
 * shares this mode. The data folder itself is 0700, so no other user reaches
 * a bundle through it (docs/security.md).
 */
const BUNDLE_FILE_MODE = 0o644;

/**
 * Deployed bundles and source maps, stored by the sha256 of their content:
 * a redeploy of the same code stores nothing new, and a stored file never changes.
 */
export interface BundleStore {
  put(content: string | Uint8Array, extension: '.mjs' | '.mjs.map'): Promise<{ hash: string; path: string; size: number }>;
  path(hash: string, extension: '.mjs' | '.mjs.map'): string;
  readonly dir: string;
}

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

  path(hash: string, extension: '.mjs' | '.mjs.map'): string {
    return join(this.dir, `${hash}${extension}`);
  }

  async put(content: string | Uint8Array, extension: '.mjs' | '.mjs.map'): Promise<{ hash: string; path: string; size: number }> {
    this.#faults.assertWritable('bundles');
    const bytes = typeof content === 'string' ? Buffer.from(content) : content;
    const hash = createHash('sha256').update(bytes).digest('hex');
    const target = this.path(hash, extension);
    const exists = await stat(target).then(() => true, () => false);
    if (!exists) {
      // Write, fsync, rename: a crash leaves the old state or the whole file, never half of one.
      const temp = join(this.dir, `.tmp-${randomUUID()}`);
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
    return { hash, path: target, size: bytes.byteLength };
  }
}
