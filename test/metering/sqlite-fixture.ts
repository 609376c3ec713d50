import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, type SqliteDatabase } from '../../src/store/sqlite/sqlite-database.js';

/** A real SQLite file in a fresh temporary folder. */
export function openTempDatabase(): { db: SqliteDatabase; close(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'nimbus-metering-'));
  const db = openDatabase(join(dir, 'state.db'));
  db.pragma('journal_mode = WAL');
  return {
    db,
    close() {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
