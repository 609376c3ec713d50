import { createHash, randomUUID } from 'node:crypto';
import { mkdir, open, rename, stat } from 'node:fs/promises';
import { join } from 'node:path';

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
  constructor(readonly dir: string) {}

  path(hash: string, extension: '.mjs' | '.mjs.map'): string {
    return join(this.dir, `${hash}${extension}`);
  }

  async put(content: string | Uint8Array, extension: '.mjs' | '.mjs.map'): Promise<{ hash: string; path: string; size: number }> {
    const bytes = typeof content === 'string' ? Buffer.from(content) : content;
    const hash = createHash('sha256').update(bytes).digest('hex');
    const target = this.path(hash, extension);
    const exists = await stat(target).then(() => true, () => false);
    if (!exists) {
      await mkdir(this.dir, { recursive: true });
      // Write, fsync, rename: a crash leaves the old state or the whole file, never half of one.
      const temp = join(this.dir, `.tmp-${randomUUID()}`);
      const handle = await open(temp, 'wx', 0o644);
      try {
        await handle.writeFile(bytes);
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(temp, target);
    }
    return { hash, path: target, size: bytes.byteLength };
  }
}
