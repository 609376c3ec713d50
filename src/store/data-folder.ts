import { chmodSync, closeSync, mkdirSync, openSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** The data folder: only the node's own user may list or enter it. */
export const PRIVATE_DIR_MODE = 0o700;
/** Files the node writes there (state, keys, blobs): only the node's own user may read them. */
export const PRIVATE_FILE_MODE = 0o600;
/** Bits that let anyone but the owner in. */
const OTHERS_BITS = 0o077;

/** The SQLite state file's name inside the data folder. */
export const STATE_FILE = 'state.sqlite';
/** SQLite's companions of a WAL database; it creates them with the database file's mode. */
const STATE_COMPANIONS = ['-wal', '-shm'];

export interface PreparedDataFolder {
  created: boolean;
  /** The mode it had when it was open to others and was made private; null when it already was (or was just created). */
  tightenedFrom: number | null;
  /** Why it could not be made private (not the owner…); null when it is. */
  chmodFailed: string | null;
}

/**
 * Creates the data folder private (0700), or makes an existing one private:
 * a folder made by hand (or by an older Nimbus) is often 0755, and the state,
 * keys and blobs inside are the node's alone.
 */
export function prepareDataFolder(dir: string): PreparedDataFolder {
  if (statSync(dir, { throwIfNoEntry: false })?.isDirectory() === false) {
    throw Object.assign(new Error(`ENOTDIR: not a directory, mkdir '${dir}'`), { code: 'ENOTDIR', syscall: 'mkdir', path: dir });
  }
  const created = mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE }) !== undefined;
  const mode = statSync(dir).mode & 0o777;
  if ((mode & OTHERS_BITS) === 0) return { created, tightenedFrom: null, chmodFailed: null };
  try {
    chmodSync(dir, PRIVATE_DIR_MODE);
    return { created, tightenedFrom: created ? null : mode, chmodFailed: null };
  } catch (error) {
    return { created, tightenedFrom: null, chmodFailed: (error as Error).message };
  }
}

/**
 * Creates the SQLite file 0600 before SQLite does (it would make it 0644),
 * and makes an existing one and its -wal and -shm 0600: SQLite gives those
 * the database file's mode when it creates them.
 */
export function prepareStateFile(file: string): void {
  closeSync(openSync(file, 'a', PRIVATE_FILE_MODE));
  for (const path of [file, ...STATE_COMPANIONS.map((suffix) => file + suffix)]) makePrivate(path);
}

/** Takes group and others' access away from an existing file; a missing one is left missing. */
export function makePrivate(path: string): void {
  try {
    const mode = statSync(path).mode & 0o777;
    if ((mode & OTHERS_BITS) !== 0) chmodSync(path, mode & ~OTHERS_BITS);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}

export interface PathMode {
  path: string;
  /** Permission bits, or null when the path does not exist. */
  mode: number | null;
  /** Nobody but the owner may read (or, for the folder, enter) it. */
  private: boolean;
}

/** The data folder's and state file's modes, for `nimbus doctor`. */
export function inspectDataFolder(dir: string): { folder: PathMode; stateFile: PathMode } {
  return { folder: modeOf(dir), stateFile: modeOf(join(dir, STATE_FILE)) };
}

function modeOf(path: string): PathMode {
  const stats = statSync(path, { throwIfNoEntry: false });
  const mode = stats ? stats.mode & 0o777 : null;
  return { path, mode, private: mode !== null && (mode & OTHERS_BITS) === 0 };
}

/** `0700`-style, as chmod takes it. */
export function formatMode(mode: number): string {
  return `0${mode.toString(8).padStart(3, '0')}`;
}
