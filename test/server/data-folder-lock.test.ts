import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DataFolderInUseError, lockDataFolder } from '../../src/server/data-folder-lock.js';
import { readNodeUrlFile } from '../../src/server/node-url-file.js';
import { startNode } from '../../src/server/node.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { startTestNode } from '../helpers/test-node.js';

const LOCK_MODULE = new URL('../../src/server/data-folder-lock.js', import.meta.url).href;

test('a data folder takes one lock at a time; released, it can be taken again', (t) => {
  const folder = makeTempDir('nimbus-lock-');
  t.after(() => folder.remove());
  const first = lockDataFolder(folder.dir);
  writeFileSync(join(folder.dir, 'url'), 'http://127.0.0.1:18699\n');
  assert.throws(() => lockDataFolder(folder.dir), (error: unknown) => error instanceof DataFolderInUseError
    && error.message === `the data folder ${folder.dir} is in use by another Nimbus node (http://127.0.0.1:18699): stop it, or give this one a folder of its own (--data)`);
  first.release();
  first.release();
  lockDataFolder(folder.dir).release();
});

test('a lock dies with the process that held it, even killed with SIGKILL: nothing is left to clean up', async (t) => {
  const folder = makeTempDir('nimbus-lock-');
  t.after(() => folder.remove());
  const holder = spawn(process.execPath, ['--input-type=module', '-e', `
    const { lockDataFolder } = await import(${JSON.stringify(LOCK_MODULE)});
    lockDataFolder(${JSON.stringify(folder.dir)});
    console.log('locked');
    setInterval(() => {}, 1_000);
  `], { stdio: ['ignore', 'pipe', 'inherit'] });
  // Raced with its exit: a holder that failed to start fails the test now, not at the test timeout.
  const first = await Promise.race([once(holder.stdout!, 'data'), once(holder, 'exit').then(([code]) => [`exited with ${code}`])]);
  assert.equal(String(first[0]).trim(), 'locked');
  assert.throws(() => lockDataFolder(folder.dir), DataFolderInUseError, 'held by another process');
  holder.kill('SIGKILL');
  await once(holder, 'exit');
  lockDataFolder(folder.dir).release();
});

test('a second node on a running node\'s data folder is refused before it touches anything, and the first goes on serving', async (t) => {
  const data = makeTempDir('nimbus-node-');
  const first = await startTestNode({ dataDir: data.dir });
  t.after(async () => {
    await first.dispose();
    data.remove();
  });
  const deployed = await first.deploy('hello', { 'index.ts': `import { http } from 'nimbus-functions';\nexport const hi = http({ route: 'GET /hi' }, () => 'hi');` });
  assert.equal(deployed.status, 201);
  await assert.rejects(
    startNode({ host: '127.0.0.1', port: 0, dataDir: data.dir, logLevel: 'silent', adminKey: 'test-admin-key', isolation: 'basic' }),
    (error: unknown) => error instanceof DataFolderInUseError && error.message.includes(first.url),
  );
  assert.equal(readNodeUrlFile(data.dir), first.url, 'the refused node wrote nothing, not even its url');
  const answer = await fetch(`${first.url}/hi`);
  assert.equal(answer.status, 200);
  assert.equal(await answer.text(), 'hi');
  await first.close();
  // Closed, the folder is free: a node starts on it and serves what was deployed.
  const second = await startTestNode({ dataDir: data.dir });
  try {
    assert.equal(await (await fetch(`${second.url}/hi`)).text(), 'hi');
  } finally {
    await second.dispose();
  }
});
