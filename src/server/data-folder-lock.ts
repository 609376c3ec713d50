import { join } from 'node:path';
import { openDatabase, type SqliteDatabase } from '../store/sqlite/sqlite-database.js';
import { readNodeUrlFile } from './node-url-file.js';

/** The file whose lock says a node runs on this data folder (an empty SQLite database; only its lock matters). */
export const NODE_LOCK_FILE = 'node.lock';

/** SQLite's SQLITE_BUSY: another connection holds the lock. */
const SQLITE_BUSY = 5;

/** A start refused because another node runs on the same data folder. */
export class DataFolderInUseError extends Error {
  constructor(readonly dataDir: string, readonly otherUrl: string | undefined) {
    super(
      `the data folder ${dataDir} is in use by another Nimbus node${otherUrl ? ` (${otherUrl})` : ''}: `
      + 'stop it, or give this one a folder of its own (--data)',
    );
    this.name = 'DataFolderInUseError';
  }
}

export interface DataFolderLock {
  /** Lets the folder go: the node has closed everything it had open there. */
  release(): void;
}

/**
 * One node per data folder. Two nodes on one folder share its node id, state file and sandboxes: each would take
 * the other's timer claims and queue leases for its own and reap the other's live sandboxes as leftovers of a
 * crash. The lock is SQLite's (an exclusive transaction held open on a file of its own), so the operating system
 * drops it with the process: a node killed with SIGKILL leaves no lock to clean up, and a pid reused by another
 * program cannot be mistaken for a node. Another node in the same process meets it too: SQLite keeps the locks of
 * all its connections to a file in step.
 */
export function lockDataFolder(dataDir: string): DataFolderLock {
  const db = openDatabase(join(dataDir, NODE_LOCK_FILE));
  try {
    // No busy timeout: a held lock is refused at once, not waited for.
    db.pragma('busy_timeout = 0');
    db.exec('BEGIN EXCLUSIVE');
  } catch (error) {
    db.close();
    if ((error as { errcode?: unknown }).errcode === SQLITE_BUSY) throw new DataFolderInUseError(dataDir, runningUrl(dataDir));
    throw error;
  }
  return { release: () => release(db) };
}

function release(db: SqliteDatabase): void {
  if (!db.open) return;
  try {
    db.exec('ROLLBACK');
  } finally {
    db.close();
  }
}

/** The URL the other node recorded when it started listening, if it has (and can be read). */
function runningUrl(dataDir: string): string | undefined {
  try {
    return readNodeUrlFile(dataDir);
  } catch {
    return undefined;
  }
}
