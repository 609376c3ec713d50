import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { startTestNode, type TestNode } from '../../helpers/test-node.js';
import { makeTempDir } from '../../helpers/temp-dir.js';

const BIN = fileURLToPath(new URL('../../../../bin/nimbus.js', import.meta.url));
const run = promisify(execFile);

interface DataFolderReport {
  folder: { path: string; mode: string | null; private: boolean };
  stateFile: { path: string; mode: string | null; private: boolean };
  warnings: string[];
}

let node: TestNode;
before(async () => { node = await startTestNode(); });
after(() => node.dispose());

test('nimbus doctor reports what the machine supports and what the running node uses', async () => {
  const { stdout } = await run(process.execPath, [BIN, 'doctor', '--json', '--url', node.url, '--key', node.adminKey]);
  const report = JSON.parse(stdout) as { machine: { level: string; missing: string[] }; node: { isolation: { driver: string; level: string } }; dataFolder: DataFolderReport };
  assert.ok(['strict', 'basic'].includes(report.machine.level));
  assert.equal(report.machine.level === 'strict', report.machine.missing.length === 0, 'strict exactly when nothing is missing');
  assert.deepEqual(report.node.isolation, { driver: 'process', level: 'basic', report: null } as unknown as typeof report.node.isolation);
  // The running node's own data folder, as it reports it: private.
  assert.equal(report.dataFolder.folder.path, node.dataDir);
  assert.deepEqual([report.dataFolder.folder.mode, report.dataFolder.stateFile.mode], ['0700', '0600']);
  assert.deepEqual(report.dataFolder.warnings, []);
  const text = await run(process.execPath, [BIN, 'doctor', '--url', node.url, '--key', node.adminKey]);
  assert.match(text.stdout, /the running node uses: basic isolation \(process driver\)/);
  assert.match(text.stdout, /data folder .*: mode 0700 \(private\)/);
  assert.match(text.stdout, /state file .*state\.sqlite: mode 0600 \(private\)/);
});

test('nimbus doctor warns when the data folder or the state file is open to other users', async (t) => {
  const temp = makeTempDir('nimbus-doctor-');
  t.after(() => temp.remove());
  const dir = join(temp.dir, 'data');
  mkdirSync(dir);
  chmodSync(dir, 0o755);
  writeFileSync(join(dir, 'state.sqlite'), '');
  chmodSync(join(dir, 'state.sqlite'), 0o644);
  const noNode = ['--url', 'http://127.0.0.1:9', '--key', 'none'];

  const { stdout } = await run(process.execPath, [BIN, 'doctor', '--json', '--data', dir, ...noNode]);
  const report = (JSON.parse(stdout) as { dataFolder: DataFolderReport }).dataFolder;
  assert.deepEqual([report.folder.mode, report.folder.private, report.stateFile.mode, report.stateFile.private], ['0755', false, '0644', false]);
  assert.equal(report.warnings.length, 2);
  const text = await run(process.execPath, [BIN, 'doctor', '--data', dir, ...noNode]);
  assert.match(text.stdout, /warning: the data folder .* is open to other users \(mode 0755\): chmod 700/);
  assert.match(text.stdout, /warning: the state file .* is readable by other users \(mode 0644\): chmod 600/);

  chmodSync(dir, 0o700);
  chmodSync(join(dir, 'state.sqlite'), 0o600);
  const fixed = await run(process.execPath, [BIN, 'doctor', '--data', dir, ...noNode]);
  assert.doesNotMatch(fixed.stdout, /warning/);
  assert.match(fixed.stdout, /state file .*: mode 0600 \(private\)/);
});
