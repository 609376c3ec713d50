import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BundleExtension, BundleStore } from '../../blobs/bundles/bundle-store.js';
import { plural, type StoreArea } from './area.js';

/** Where deployed bundles go: the shared store a cluster's nodes fetch from. */
export interface BundlesMove {
  /** Bundles as the node kept them: `<dataDir>/bundles`. */
  folder: string;
  to: BundleStore;
  describe: string;
}

/**
 * Every bundle and source map a version names, put into the shared bundle
 * store before any version row is written. A file the folder does not have
 * (removed by hand) is counted, not fatal: its version could not run on the
 * old node either.
 */
export function bundlesArea(move: BundlesMove | undefined): StoreArea {
  return {
    name: 'bundles',
    async copy({ source }) {
      if (!move) return 'stay in the data folder (local blobs)';
      const files = source.prepare<[], { hash: string; extension: BundleExtension }>(
        `SELECT bundle_hash AS hash, '.mjs' AS extension FROM app_versions
         UNION SELECT source_map_hash, '.mjs.map' FROM app_versions WHERE source_map_hash IS NOT NULL`,
      ).all();
      let copied = 0;
      let missing = 0;
      for (const { hash, extension } of files) {
        let content: Buffer;
        try {
          content = await readFile(join(move.folder, hash + extension));
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
          missing++;
          continue;
        }
        // A damaged file would be stored under another name: the version would point at nothing.
        const stored = await move.to.put(content, extension);
        if (stored.hash !== hash) throw new Error(`bundle ${hash}${extension} in the data folder has the content hash ${stored.hash}: the file is damaged`);
        copied++;
      }
      return `${plural(copied, 'file')} copied to ${move.describe}${missing > 0 ? ` (${missing} not in the data folder)` : ''}`;
    },
  };
}
