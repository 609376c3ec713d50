import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { prepareStateFile, PRIVATE_DIR_MODE } from '../data-folder.js';
import { openDatabase, type SqliteDatabase } from './sqlite-database.js';

/**
 * Opens the node's SQLite file the way every sub-store expects it: WAL for
 * concurrent readers, FULL sync so an acknowledged write survives power loss,
 * and a busy timeout so a second process (CLI, another node) waits instead of failing.
 * The file and its -wal and -shm are readable by the owner only.
 */
export function openSqlite(file: string): SqliteDatabase {
  mkdirSync(dirname(file), { recursive: true, mode: PRIVATE_DIR_MODE });
  prepareStateFile(file);
  const db = openDatabase(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('busy_timeout = 5000');
  db.pragma('foreign_keys = ON');
  return db;
}
