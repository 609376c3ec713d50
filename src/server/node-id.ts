import { randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PRIVATE_FILE_MODE } from '../store/data-folder.js';

export const NODE_ID_FILE = 'node-id';

/** A node's identity, stable across restarts of the same data folder (timer claims name it). */
export function loadOrCreateNodeId(dataDir: string): string {
  const file = join(dataDir, NODE_ID_FILE);
  try {
    const id = readFileSync(file, 'utf8').trim();
    if (id) return id;
  } catch {
    // first start
  }
  const id = `node-${randomUUID()}`;
  writeFileSync(file, `${id}\n`, { mode: PRIVATE_FILE_MODE });
  return id;
}
