import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SqliteMeteringStore } from '../../../src/store/sqlite/sqlite-metering-store.js';
import { runMeteringStoreContract } from '../metering-store.contract.js';

runMeteringStoreContract('SqliteMeteringStore', async (clock) => {
  const dir = mkdtempSync(join(tmpdir(), 'nimbus-metering-'));
  const db = new Database(join(dir, 'state.db'));
  db.pragma('journal_mode = WAL');
  return {
    store: new SqliteMeteringStore(db, clock),
    close: async () => {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});
