import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';

/** A real SQLite file in a fresh temporary folder. */
export function openTempDatabase(): { db: Database.Database; close(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'nimbus-metering-'));
  const db = new Database(join(dir, 'state.db'));
  db.pragma('journal_mode = WAL');
  return {
    db,
    close() {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
