/**
 * A start that fails after the warm pool began booting sandboxes (here: the
 * port is taken) leaves no sandbox process behind, booting or booted.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { startNode } from '../../src/server/node.js';
import { makeTempDir } from '../helpers/temp-dir.js';

/** Live (not yet reaped zombie) children of this process, by command line. */
function liveChildren(): string[] {
  const out = execFileSync('ps', ['-o', 'stat=,args=', '--ppid', String(process.pid)], { encoding: 'utf8' });
  return out.split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('Z') && !l.includes('ps -o'));
}

test('a start that fails once the warm pool is booting stops every sandbox it started', async (t) => {
  const taken = createServer();
  await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
  const port = (taken.address() as AddressInfo).port;
  const data = makeTempDir('nimbus-failed-start-');
  t.after(async () => {
    await new Promise((resolve) => taken.close(resolve));
    data.remove();
  });
  const before = liveChildren().filter((c) => c.includes('instance.mjs'));
  await assert.rejects(
    startNode({
      host: '127.0.0.1', port, dataDir: data.dir, logLevel: 'silent', adminKey: 'test-admin-key', isolation: 'basic',
      warmPool: { sizePerShape: 2, initialShapes: [128] }, drainTimeoutMs: 1_000,
    }),
    /EADDRINUSE/,
  );
  // Killed sandboxes may take a moment to be reaped: wait for them to go, bounded.
  const deadline = Date.now() + 10_000;
  let left = liveChildren().filter((c) => c.includes('instance.mjs'));
  while (left.length > before.length && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    left = liveChildren().filter((c) => c.includes('instance.mjs'));
  }
  assert.deepEqual(left, before, 'no sandbox left running');
});
