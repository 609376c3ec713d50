import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openDatabase, tempDir } from './helpers.js';

const sender = fileURLToPath(new URL('./fixtures/queue-sender.js', import.meta.url));

async function sendUntilKilled(file: string, selfKillAfter?: number): Promise<string[]> {
  const args = [sender, file, ...(selfKillAfter ? [String(selfKillAfter)] : [])];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  const acknowledged: string[] = [];
  let partial = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    const lines = (partial + chunk).split('\n');
    partial = lines.pop()!;
    acknowledged.push(...lines.filter(Boolean));
    if (!selfKillAfter && acknowledged.length >= 5_000 && child.exitCode === null && !child.killed) child.kill('SIGKILL');
  });
  // 'close', not 'exit': 'exit' can come before the last ids still in the pipe are read.
  const [, signal] = await once(child, 'close');
  assert.equal(signal, 'SIGKILL', 'the sender was killed while sending');
  assert.ok(acknowledged.length >= 5_000);
  return acknowledged;
}

function assertAllStored(file: string, acknowledged: string[]): void {
  const db = openDatabase(file);
  try {
    const stored = new Set((db.prepare("SELECT seq FROM queue_messages WHERE queue = 'durable'").pluck().all() as number[]).map(String));
    const lost = acknowledged.filter((id) => !stored.has(id));
    assert.deepEqual(lost, [], `${lost.length} of ${acknowledged.length} acknowledged messages are missing`);
    assert.equal(db.pragma('integrity_check', { simple: true }), 'ok');
  } finally {
    db.close();
  }
}

for (const [how, selfKillAfter] of [['by the test, mid-stream', undefined], ['by itself, right after an acknowledgement', 5_000]] as const) {
  test(`every id acknowledged to a sender is on disk after it is killed with SIGKILL ${how}`, async () => {
    const tmp = tempDir();
    const file = join(tmp.dir, 'state.db');
    try {
      assertAllStored(file, await sendUntilKilled(file, selfKillAfter));
    } finally {
      tmp.remove();
    }
  });
}
