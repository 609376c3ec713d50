/**
 * A data folder written before the move from better-sqlite3 opens as it is.
 *
 * The fixture is the state file and its WAL as commit 286ad66 (better-sqlite3
 * 12, SQLite 3.53) left them when its process was killed: `openSqliteStore`,
 * 3 messages sent to `orders`, 2 leased for 60 s, 1 acknowledged, then
 * SIGKILL, so nothing was checkpointed and the last writes live only in the
 * WAL. Gzipped because the WAL is mostly empty pages.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { LEASE_EXPIRED_ERROR } from '../../../src/store/sqlite/sqlite-queue-store.js';
import { openSqliteStore, STATE_FILE } from '../../../src/store/sqlite/sqlite-store.js';
import { ManualClock } from '../../auth/fixtures.js';
import { tempDir } from './helpers.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');
const FIXTURE = join(ROOT, 'test', 'store', 'sqlite', 'fixtures', 'better-sqlite3-data-folder');
/** When the fixture was written (epoch ms); the store is opened an hour later. */
const WRITTEN_AT = 1_796_341_797_881;

test('a data folder better-sqlite3 left with writes only in its WAL opens, recovers them and takes new ones', async (t) => {
  const tmp = tempDir();
  t.after(() => tmp.remove());
  for (const name of [STATE_FILE, `${STATE_FILE}-wal`]) {
    writeFileSync(join(tmp.dir, name), gunzipSync(readFileSync(join(FIXTURE, `${name}.gz`))), { mode: 0o600 });
  }

  const store = openSqliteStore(tmp.dir, new ManualClock(WRITTEN_AT + 3_600_000));
  try {
    const [orders] = await store.queues.listQueues();
    assert.equal(orders?.name, 'orders');
    assert.equal(orders.depth, 2, 'the unacknowledged message and the one never leased; its 60 s lease ran out');

    const leased = await store.queues.receive('orders', 10, 60_000);
    assert.deepEqual(leased.map((m) => (m.body as { i: number }).i), [1, 2]);
    assert.deepEqual(leased.map((m) => [m.attempts, m.lastError]), [[1, LEASE_EXPIRED_ERROR], [0, null]]);

    await store.queues.ack(leased.map((m) => m.id));
    const [sent] = await store.queues.send('orders', [{ body: { after: true } }]);
    assert.equal(Number(sent?.id), 4, 'ids go on from the old file');
  } finally {
    await store.close();
  }
});
