import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../../../src/store/sqlite/sqlite-database.js';
import { SqliteLogStore } from '../../../src/store/sqlite/sqlite-log-store.js';
import { runLogStoreContract } from '../log-store.contract.js';

runLogStoreContract('SqliteLogStore', async (clock, limits) => {
  const dir = mkdtempSync(join(tmpdir(), 'nimbus-logs-'));
  const db = openDatabase(join(dir, 'state.db'));
  db.pragma('journal_mode = WAL');
  return {
    store: new SqliteLogStore(db, clock, limits),
    close: async () => {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});
