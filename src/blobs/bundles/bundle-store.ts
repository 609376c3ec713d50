import { createHash, randomUUID } from 'node:crypto';
import { mkdir, open, readdir, rename, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';

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
  path(hash: string, extension: BundleExtension): string;
  /** Deletes one stored file; a missing one is not an error. */
  remove(hash: string, extension: BundleExtension): Promise<void>;
  /**
   * Deletes every stored file whose hash is not in `keep`, and the temporary
   * files of writes a crash interrupted. The caller makes sure no put runs meanwhile.
   */
  sweep(keep: ReadonlySet<string>): Promise<string[]>;
  readonly dir: string;
}

const STORED_NAME = /^([0-9a-f]{64})(\.mjs|\.mjs\.map)$/;
const TEMP_PREFIX = '.tmp-';

export class LocalBundleStore implements BundleStore {
  constructor(readonly dir: string) {}

  path(hash: string, extension: BundleExtension): string {
    return join(this.dir, `${hash}${extension}`);
  }

  async put(content: string | Uint8Array, extension: BundleExtension): Promise<StoredBundle> {
    const bytes = typeof content === 'string' ? Buffer.from(content) : content;
    const hash = createHash('sha256').update(bytes).digest('hex');
    const target = this.path(hash, extension);
    const exists = await stat(target).then(() => true, () => false);
    if (!exists) {
      await mkdir(this.dir, { recursive: true });
      // Write, fsync, rename: a crash leaves the old state or the whole file, never half of one.
      const temp = join(this.dir, `${TEMP_PREFIX}${randomUUID()}`);
      const handle = await open(temp, 'wx', 0o644);
      try {
        await handle.writeFile(bytes);
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(temp, target);
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
