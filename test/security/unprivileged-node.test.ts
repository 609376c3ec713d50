import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { admin } from '../helpers/admin-client.js';
import { bundleFiles } from '../helpers/bundle.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const FIXTURE = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'run-node.js');
const NOBODY = 65534;
const canSwitchUser = process.getuid?.() === 0 && spawnSync('setpriv', ['--version']).status === 0 && spawnSync('bwrap', ['--version']).status === 0;
const skip = canSwitchUser ? false : 'needs root (to start the node as an ordinary user), setpriv and bubblewrap';

let child: ChildProcess | undefined;
const data = makeTempDir('nimbus-unprivileged-');
let url = '';
const node = { url: '', adminKey: 'test-admin-key' };

before(async () => {
  if (skip) return;
  chmodSync(data.dir, 0o755);
  chownSync(data.dir, NOBODY, NOBODY);
  child = spawn('setpriv', [`--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', process.execPath, FIXTURE], {
    env: { PATH: process.env['PATH'] ?? '', HOME: data.dir, NIMBUS_DATA: data.dir, NIMBUS_ISOLATION: 'auto' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const [line] = (await new Promise<string[]>((resolve, reject) => {
    createInterface({ input: child!.stdout! }).once('line', (l) => resolve([l]));
    child!.once('exit', (code) => reject(new Error(`the node exited with ${code}`)));
  }));
  url = (JSON.parse(line!) as { url: string }).url;
  node.url = url;
});

after(async () => {
  if (child && child.exitCode === null) {
    child.kill('SIGTERM');
    await new Promise((resolve) => child!.once('exit', resolve));
  }
  data.remove();
});

test('a node run by an ordinary user still sandboxes functions in namespaces (no cgroups or network policy without root)', { skip }, async () => {
  const info = await admin(node, 'GET', '/node');
  assert.equal(info.body.isolation.driver, 'bubblewrap');
  assert.equal(info.body.isolation.level, 'basic');
  const apps = makeTempDir();
  const { bundle } = await bundleFiles(apps.dir, { 'index.ts': `import { http } from 'nimbus-functions';
import { readdirSync } from 'node:fs';
const visible = (dir, only = /./) => { try { return readdirSync(dir).filter((d) => only.test(d)).length; } catch { return -1; } };
export const who = http({ route: 'GET /who' }, () => ({ uid: process.getuid(), pids: visible('/proc', /^\\d+$/), workEntries: visible('/work') }));` });
  apps.remove();
  const deployed = await admin(node, 'POST', '/apps/plain/versions', { bundle });
  assert.equal(deployed.status, 201, JSON.stringify(deployed.body));
  const answer = await fetch(`${url}/who`);
  const who = await answer.json() as { uid: number; pids: number; workEntries: number };
  assert.equal(answer.status, 200, JSON.stringify(who));
  assert.equal(who.uid, NOBODY);
  // -1: denied outright (the permission model inside the namespaces); otherwise only its own pid namespace.
  assert.ok(who.pids <= 5, `the host's processes are not visible (${who.pids} pids in /proc)`);
  assert.equal(who.workEntries, -1, 'host folders are not reachable');
});
