import { join } from 'node:path';
import type { Clock } from '../../shared/clock.js';
import type { Store } from '../store.js';
import { openSqlite } from './open-sqlite.js';
import { SqliteAppStore } from './sqlite-app-store.js';

export const STATE_FILE = 'state.sqlite';

/** The embedded store: one SQLite file in the data folder. */
export function openSqliteStore(dataDir: string, clock: Clock): Store & { readonly file: string } {
  const file = join(dataDir, STATE_FILE);
  const db = openSqlite(file);
  return {
    file,
    apps: new SqliteAppStore(db, clock),
    async close() {
      db.close();
    },
  };
}
