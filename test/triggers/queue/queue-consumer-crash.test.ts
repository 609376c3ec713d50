import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { systemClock } from '../../../src/shared/clock.js';
import { SqliteQueueStore } from '../../../src/store/sqlite/sqlite-queue-store.js';
import { openDatabase, tempDir } from '../../store/sqlite/helpers.js';

const consumer = fileURLToPath(new URL('./fixtures/crashing-consumer.js', import.meta.url));
const MESSAGES = 6_000;
/** Killed after this many were handled: far from the end, so a slow parent still kills it mid-run. */
const KILL_AFTER = 1_000;
const NODE_ID = 'crashing-node';

test('a batch-size-1 consumer killed mid-run loses nothing: every message is handled or still there to be delivered again', async () => {
  const tmp = tempDir();
  const file = join(tmp.dir, 'state.db');
  try {
    let db = openDatabase(file);
    let store = new SqliteQueueStore(db, systemClock);
    const sent: string[] = [];
    for (let i = 0; i < MESSAGES; i += 500) sent.push(...(await store.send('jobs', Array.from({ length: 500 }, (_, k) => ({ body: i + k })))).map((r) => r.id));
    await store.close();
    db.close();

    const child = spawn(process.execPath, [consumer, file, NODE_ID], { stdio: ['ignore', 'pipe', 'inherit'] });
    const handled = new Set<string>();
    let partial = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      const lines = (partial + chunk).split('\n');
      partial = lines.pop()!;
      for (const id of lines) if (id) handled.add(id);
      if (handled.size >= KILL_AFTER && child.exitCode === null && !child.killed) child.kill('SIGKILL');
    });
    // 'close', not 'exit': 'exit' can come before the last ids still in the pipe are read.
    const [, signal] = await once(child, 'close');
    assert.equal(signal, 'SIGKILL', 'the consumer was killed while consuming');
    assert.ok(handled.size < MESSAGES, 'killed before it was done');

    db = openDatabase(file);
    store = new SqliteQueueStore(db, systemClock);
    try {
      assert.equal(db.pragma('integrity_check', { simple: true }), 'ok');
      const stored = new Set((db.prepare("SELECT seq FROM queue_messages WHERE queue = 'jobs'").pluck().all() as number[]).map(String));
      const lost = sent.filter((id) => !stored.has(id) && !handled.has(id));
      assert.deepEqual(lost, [], `${lost.length} messages were deleted without being handled`);
      assert.ok(stored.size > 0 && stored.size < MESSAGES, `acks had committed, not all of them: ${stored.size} left`);
      // A node starting again ends its own leases at once: everything left is delivered again.
      await store.releaseLeasesOf(NODE_ID);
      const again = await store.receive('jobs', MESSAGES, 30_000);
      assert.deepEqual(new Set(again.map((m) => m.id)), stored);
      assert.ok(again.every((m) => m.attempts <= 1));
    } finally {
      await store.close();
      db.close();
    }
  } finally {
    tmp.remove();
  }
});
