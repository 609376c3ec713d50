import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** Only the owner may list the data folder or read a key file. */
export const KEY_DIR_MODE = 0o700;
export const KEY_FILE_MODE = 0o600;

/** The trimmed contents of a key file, or undefined when there is none. */
export function readKeyFile(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/**
 * Writes a freshly generated key readable by the owner only. The file is
 * created exclusively ('wx'): when two processes start on the same data folder
 * at once, the loser reads the winner's key instead of overwriting it, so
 * nothing already encrypted or handed out under that key is orphaned.
 * Returns the key that is on disk afterwards and whether it is ours.
 */
export function writeKeyFileOnce(path: string, key: string): { key: string; written: boolean } {
  mkdirSync(dirname(path), { recursive: true, mode: KEY_DIR_MODE });
  try {
    writeFileSync(path, `${key}\n`, { mode: KEY_FILE_MODE, flag: 'wx' });
    return { key, written: true };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    const existing = readKeyFile(path);
    if (existing === undefined) throw err;
    return { key: existing, written: false };
  }
}
