import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PRIVATE_FILE_MODE } from '../store/data-folder.js';

/**
 * `<dataDir>/url`: where the node that owns this data folder listens. It sits
 * beside `admin-key`, so the CLI run next to a data folder talks to the node
 * whose key it holds instead of guessing a port.
 */
export const NODE_URL_FILE = 'url';

/** Written on every start: a node on `--port 0` gets a new port each time. */
export function writeNodeUrlFile(dataDir: string, url: string): void {
  writeFileSync(join(dataDir, NODE_URL_FILE), `${url}\n`, { mode: PRIVATE_FILE_MODE });
}

/** The URL recorded in `<dataDir>/url`, or undefined when there is none (or it is empty). */
export function readNodeUrlFile(dataDir: string): string | undefined {
  try {
    return readFileSync(join(dataDir, NODE_URL_FILE), 'utf8').trim() || undefined;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'ENOTDIR') return undefined;
    throw err;
  }
}
