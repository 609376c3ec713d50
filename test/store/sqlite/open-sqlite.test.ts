import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { openSqlite } from '../../../src/store/sqlite/open-sqlite.js';
import { tempDir } from './helpers.js';

test('the node opens its SQLite file with WAL, FULL sync and temporary structures in memory', () => {
  const tmp = tempDir();
  const db = openSqlite(join(tmp.dir, 'state', 'nimbus.db'));
  try {
    assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
    assert.equal(db.pragma('synchronous', { simple: true }), 2, 'FULL: an acknowledged write survives power loss');
    // Queue leases build a small ephemeral table on every call: in memory it costs a fraction (open-sqlite.ts).
    assert.equal(db.pragma('temp_store', { simple: true }), 2, 'MEMORY');
  } finally {
    db.close();
    tmp.remove();
  }
});
