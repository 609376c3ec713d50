import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { prepareStateFile, PRIVATE_DIR_MODE } from '../data-folder.js';
import { openDatabase, type SqliteDatabase } from './sqlite-database.js';

/**
 * Opens the node's SQLite file the way every sub-store expects it: WAL for
 * concurrent readers, FULL sync so an acknowledged write survives power loss,
 * a busy timeout so a second process (CLI, another node) waits instead of failing,
 * and a 16 MB page cache (SQLite's default is 2 MB; better-sqlite3 was built with
 * 16 MB): with a queue backlog of tens of thousands of messages, 2 MB made every
 * lease read pages back through the WAL, 30 % slower (docs/storage-engine.md).
 * Temporary structures in memory (`temp_store = MEMORY`): a queue lease
 * (`UPDATE … FROM (SELECT … LIMIT n)`) builds a small ephemeral table on every
 * call, and backed by a temp-file pager (the default) each one grew and trimmed
 * the heap: up to 0.5 ms a statement in isolation, and a third more CPU per
 * message for receive + ack. Durability is untouched: only scratch data of one
 * statement lives there, never the WAL.
 * The file and its -wal and -shm are readable by the owner only.
 */
/** Page cache per connection, in KiB. */
const CACHE_KIB = 16_000;

export function openSqlite(file: string): SqliteDatabase {
  mkdirSync(dirname(file), { recursive: true, mode: PRIVATE_DIR_MODE });
  prepareStateFile(file);
  const db = openDatabase(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('busy_timeout = 5000');
  db.pragma('foreign_keys = ON');
  db.pragma(`cache_size = -${CACHE_KIB}`);
  db.pragma('temp_store = MEMORY');
  return db;
}
