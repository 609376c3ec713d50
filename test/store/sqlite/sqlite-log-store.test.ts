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
  // Another process's connection to the same file.
  const otherDb = openDatabase(join(dir, 'state.db'));
  return {
    store: new SqliteLogStore(db, clock, limits),
    second: new SqliteLogStore(otherDb, clock, limits),
    overstateTotals: async (app, functionName, lines) => {
      db.prepare('UPDATE logs_function_totals SET lines = lines + ? WHERE app = ? AND function_name = ?').run(lines, app, functionName);
    },
    close: async () => {
      otherDb.close();
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});
