import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatMode, inspectDataFolder, makePrivate, prepareDataFolder, prepareStateFile } from '../../src/store/data-folder.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const mode = (path: string): number => statSync(path).mode & 0o777;

test('an existing data folder open to others is made 0700, and the caller is told what it was (for the log)', (t) => {
  const temp = makeTempDir('nimbus-folder-');
  t.after(() => temp.remove());
  const dir = join(temp.dir, 'data');
  mkdirSync(dir);
  chmodSync(dir, 0o755);
  assert.deepEqual(prepareDataFolder(dir), { created: false, tightenedFrom: 0o755, chmodFailed: null });
  assert.equal(mode(dir), 0o700);
  assert.deepEqual(prepareDataFolder(dir), { created: false, tightenedFrom: null, chmodFailed: null }, 'nothing to say the second time');
  const fresh = join(temp.dir, 'a', 'b');
  assert.deepEqual(prepareDataFolder(fresh), { created: true, tightenedFrom: null, chmodFailed: null });
  assert.equal(mode(fresh), 0o700);
});

test('the state file is created 0600, and an existing one and its -wal and -shm are made 0600', (t) => {
  const temp = makeTempDir('nimbus-folder-');
  t.after(() => temp.remove());
  const file = join(temp.dir, 'state.sqlite');
  prepareStateFile(file);
  assert.equal(mode(file), 0o600);
  for (const path of [file, `${file}-wal`, `${file}-shm`]) {
    writeFileSync(path, '');
    chmodSync(path, 0o644);
  }
  prepareStateFile(file);
  for (const path of [file, `${file}-wal`, `${file}-shm`]) assert.equal(mode(path), 0o600, path);
  makePrivate(join(temp.dir, 'missing'));
});

test('inspectDataFolder reports modes for doctor', (t) => {
  const temp = makeTempDir('nimbus-folder-');
  t.after(() => temp.remove());
  chmodSync(temp.dir, 0o750);
  const report = inspectDataFolder(temp.dir);
  assert.deepEqual(report.folder, { path: temp.dir, mode: 0o750, private: false });
  assert.deepEqual(report.stateFile, { path: join(temp.dir, 'state.sqlite'), mode: null, private: false });
  assert.equal(formatMode(0o700), '0700');
  assert.equal(formatMode(0o44), '0044');
});
