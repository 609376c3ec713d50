import { join } from 'node:path';
import type { Clock } from '../../shared/clock.js';
import type { Store } from '../store.js';
import { openSqlite } from './open-sqlite.js';
import { SqliteAppStore } from './sqlite-app-store.js';
import { SqliteKeyStore } from './sqlite-key-store.js';
import { SqliteLogStore } from './sqlite-log-store.js';
import { SqliteMeteringStore } from './sqlite-metering-store.js';
import { SqliteSecretStore } from './sqlite-secret-store.js';
import { SqliteTimerStore } from './sqlite-timer-store.js';

export const STATE_FILE = 'state.sqlite';

/** The embedded store: one SQLite file in the data folder. */
export function openSqliteStore(dataDir: string, clock: Clock): Store & { readonly file: string } {
  const file = join(dataDir, STATE_FILE);
  const db = openSqlite(file);
  return {
    file,
    apps: new SqliteAppStore(db, clock),
    secrets: new SqliteSecretStore(db, clock),
    keys: new SqliteKeyStore(db, clock),
    timers: new SqliteTimerStore(db, clock),
    metering: new SqliteMeteringStore(db, clock),
    logs: new SqliteLogStore(db, clock),
    async close() {
      db.close();
    },
  };
}
