import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { NimbusError } from '../../src/shared/errors.js';
import { StorageHealth, type StorageLog } from '../../src/store/storage-health.js';
import { FakeClock } from '../metering/fake-clock.js';
import { makeTempDir } from '../helpers/temp-dir.js';

interface LogLine {
  level: 'error' | 'info';
  fields: Record<string, unknown>;
  message: string;
}

function recordingLog(): StorageLog & { lines: LogLine[] } {
  const lines: LogLine[] = [];
  return {
    lines,
    error: (fields, message) => void lines.push({ level: 'error', fields, message }),
    info: (fields, message) => void lines.push({ level: 'info', fields, message }),
  };
}

function errno(code: string): NodeJS.ErrnoException {
  return Object.assign(new Error(code), { code });
}

/** A data folder with a state file and a blobs folder, watched the way a node watches its own. */
function watchedFolder(options: { faultLogIntervalMs?: number; minFreeBytes?: number } = {}) {
  const temp = makeTempDir('nimbus-health-');
  const dataDir = join(temp.dir, 'data');
  mkdirSync(join(dataDir, 'blobs'), { recursive: true });
  const stateFile = join(dataDir, 'state.sqlite');
  writeFileSync(stateFile, '');
  const clock = new FakeClock();
  const log = recordingLog();
  const health = new StorageHealth({ dataDir, clock, log, checkIntervalMs: 1_000, ...options });
  const guard = health.watchStateFile(stateFile);
  health.watchFolder('blobs', join(dataDir, 'blobs'));
  return { temp, dataDir, stateFile, clock, log, health, guard };
}

function assertRefused(fn: () => void, code: string): NimbusError {
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof NimbusError, 'a NimbusError was thrown');
  assert.equal(caught.code, code);
  return caught;
}

test('a deleted data folder is found by the periodic check even when nothing writes, and refuses writes until restart', (t) => {
  const f = watchedFolder();
  t.after(() => f.temp.remove());
  f.health.start();
  f.clock.advance(1_000);
  assert.deepEqual(f.health.status(), { healthy: true, lost: false, faults: [] });

  rmSync(f.dataDir, { recursive: true, force: true });
  f.clock.advance(1_000);
  const status = f.health.status();
  assert.equal(status.healthy, false);
  assert.equal(status.lost, true);
  assert.equal(status.reason, 'the data folder was removed');
  assert.doesNotMatch(status.reason!, /\//, 'the reason names no path: /_nimbus/health shows it to anyone');
  assert.deepEqual(status.faults.map((fault) => `${fault.area}:${fault.kind}`).sort(), ['blobs:lost', 'bundles:lost', 'state:lost']);

  const refused = assertRefused(() => f.guard.beforeWrite(), 'NIMBUS_ERR_STORE_UNAVAILABLE');
  assert.equal(refused.status, 503);
  assertRefused(() => f.health.assertWritable('blobs'), 'NIMBUS_ERR_STORE_UNAVAILABLE');
  // A fresh folder at the same path does not bring the old connection back.
  mkdirSync(f.dataDir);
  f.clock.advance(5_000);
  f.health.succeeded('state');
  assert.equal(f.health.status().lost, true);

  const errors = f.log.lines.filter((line) => line.level === 'error');
  assert.equal(errors.length, 1, 'one line for the loss, not one per check or per refused write');
  assert.match(errors[0]!.message, /storage lost: the data folder was removed/);
  assert.equal(errors[0]!.fields['path'], f.dataDir, 'the log line names the path');
  assert.deepEqual(f.health.errorCounts().sort((a, b) => a.area.localeCompare(b.area)), [
    { area: 'blobs', kind: 'lost', count: 1 },
    { area: 'state', kind: 'lost', count: 1 },
  ]);
  f.health.close();
  assert.equal(f.clock.pendingTimers, 0, 'close stops the check');
});

test('a commit to a state file that was replaced is not acknowledged', (t) => {
  const f = watchedFolder();
  t.after(() => f.temp.remove());
  f.guard.beforeWrite();
  f.guard.afterCommit(false);
  assert.equal(f.health.status().healthy, true);

  // What a restore or a careless copy does: a new file renamed over the open one.
  writeFileSync(join(f.dataDir, 'other.sqlite'), '');
  renameSync(join(f.dataDir, 'other.sqlite'), f.stateFile);
  const refused = assertRefused(() => f.guard.afterCommit(false), 'NIMBUS_ERR_STORE_UNAVAILABLE');
  assert.equal(refused.details?.['reason'], 'lost');
  assert.equal(f.health.status().reason, 'the state file was replaced');
  assertRefused(() => f.guard.beforeWrite(), 'NIMBUS_ERR_STORE_UNAVAILABLE');
});

test('a full disk fails the writes that hit it, is logged once for a flood, and passes when a write succeeds', (t) => {
  const f = watchedFolder({ faultLogIntervalMs: 60_000 });
  t.after(() => f.temp.remove());
  for (let i = 0; i < 100; i++) {
    const error = f.health.fault('blobs', errno('ENOSPC'));
    assert.ok(error instanceof NimbusError && error.code === 'NIMBUS_ERR_STORAGE_FULL' && error.status === 507);
  }
  // Writes are still attempted: a full disk is not a reason to refuse before trying.
  f.health.assertWritable('blobs');
  const status = f.health.status();
  assert.equal(status.healthy, false);
  assert.equal(status.lost, false);
  assert.deepEqual(status.faults.map((fault) => `${fault.area}:${fault.kind}`), ['blobs:full']);
  assert.deepEqual(f.health.errorCounts(), [{ area: 'blobs', kind: 'full', count: 100 }]);
  assert.equal(f.log.lines.length, 1);
  assert.equal(f.log.lines[0]!.level, 'error');
  assert.match(f.log.lines[0]!.message, /storage fault: .*no space left.*NIMBUS_ERR_STORAGE_FULL/);
  assert.equal(f.log.lines[0]!.fields['cause'], 'ENOSPC: ENOSPC');

  f.health.succeeded('state');
  assert.equal(f.health.status().healthy, false, 'a write elsewhere says nothing about blobs');
  f.health.succeeded('blobs');
  assert.deepEqual(f.health.status(), { healthy: true, lost: false, faults: [] });
  assert.equal(f.log.lines.length, 2);
  assert.equal(f.log.lines[1]!.level, 'info');
  assert.match(f.log.lines[1]!.message, /storage recovered: blobs writes work again/);

  // Flapping (big writes fail, small ones pass) is rate-limited: the next line says how many were not logged.
  for (let i = 0; i < 3; i++) {
    f.health.fault('blobs', errno('ENOSPC'));
    f.health.succeeded('blobs');
  }
  assert.equal(f.log.lines.length, 2);
  f.clock.advance(60_000);
  f.health.fault('blobs', errno('ENOSPC'));
  assert.equal(f.log.lines.length, 3);
  assert.equal(f.log.lines[2]!.fields['faultsNotLogged'], 3);
});

test('the periodic check ends a full-disk fault once there is room, without waiting for a write', (t) => {
  const f = watchedFolder({ minFreeBytes: 1 });
  t.after(() => f.temp.remove());
  f.health.fault('state', Object.assign(new Error('database or disk is full'), { code: 'ERR_SQLITE_ERROR', errcode: 13 }));
  assert.equal(f.health.status().healthy, false);
  f.health.start();
  f.clock.advance(1_000);
  assert.equal(f.health.status().healthy, true);
  f.health.close();
});

test('a missing folder the node made itself is a lost area; a missing file in an intact folder is just missing', (t) => {
  const f = watchedFolder();
  t.after(() => f.temp.remove());
  const notFound = errno('ENOENT');
  assert.equal(f.health.missing('blobs', notFound), notFound);
  assert.equal(f.health.status().healthy, true);

  rmSync(join(f.dataDir, 'blobs'), { recursive: true });
  const lost = f.health.fault('blobs', errno('ENOENT'), { missingMeansLost: true });
  assert.ok(lost instanceof NimbusError && lost.code === 'NIMBUS_ERR_STORE_UNAVAILABLE');
  assert.deepEqual(f.health.status().faults.map((fault) => `${fault.area}:${fault.kind}`), ['blobs:lost']);
  assert.equal(f.health.status().reason, 'the blobs folder was removed');
  // The state file is intact: its writes go on.
  f.guard.beforeWrite();
  f.guard.afterCommit(false);
  const missing = f.health.missing('blobs', notFound);
  assert.ok(missing instanceof NimbusError && missing.code === 'NIMBUS_ERR_STORE_UNAVAILABLE');
});

test('errors that are not storage faults pass through untouched and are not counted', (t) => {
  const f = watchedFolder();
  t.after(() => f.temp.remove());
  const constraint = Object.assign(new Error('UNIQUE constraint failed'), { code: 'ERR_SQLITE_ERROR', errcode: 19 | (8 << 8) });
  assert.equal(f.guard.fault(constraint), constraint);
  const invalid = new NimbusError('NIMBUS_ERR_BODY_INVALID');
  assert.equal(f.health.fault('blobs', invalid), invalid);
  assert.deepEqual(f.health.errorCounts(), []);
  assert.equal(f.log.lines.length, 0);
});

test('a failed fsync inside SQLite loses the state until restart; any other I/O error passes at the next write', (t) => {
  const f = watchedFolder();
  t.after(() => f.temp.remove());
  const sqliteError = (errcode: number) => Object.assign(new Error('disk I/O error'), { code: 'ERR_SQLITE_ERROR', errcode });
  // SQLITE_IOERR_WRITE (10 | 3 << 8): the write failed and was reported; the next one may well work.
  const write = f.guard.fault(sqliteError(778)) as NimbusError;
  assert.equal(write.details?.['reason'], 'io');
  f.guard.afterCommit(false);
  assert.equal(f.health.status().healthy, true, 'an I/O error passes once a write succeeds');

  // SQLITE_IOERR_FSYNC (10 | 4 << 8): pages may be gone that no later fsync reports.
  const fsync = f.guard.fault(sqliteError(1034)) as NimbusError;
  assert.equal(fsync.details?.['reason'], 'lost');
  f.guard.afterCommit(false);
  const status = f.health.status();
  assert.equal(status.lost, true, 'a later commit does not clear it');
  assert.equal(status.reason, 'an fsync of the state file failed (SQLite result code 1034): what it holds may not all be on the disk');
  assertRefused(() => f.guard.beforeWrite(), 'NIMBUS_ERR_STORE_UNAVAILABLE');
});
