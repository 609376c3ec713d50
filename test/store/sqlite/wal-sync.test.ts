import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { NimbusError } from '../../../src/shared/errors.js';
import { SqliteGroupCommit } from '../../../src/store/sqlite/sqlite-queue-store.js';
import { openDatabase as openConnection } from '../../../src/store/sqlite/sqlite-database.js';
import { WalSync, type WalSyncFiles } from '../../../src/store/sqlite/wal-sync.js';
import { guardWrites, writeGuardOf } from '../../../src/store/sqlite/write-guard.js';
import { openSqlite } from '../../../src/store/sqlite/open-sqlite.js';
import { StorageHealth } from '../../../src/store/storage-health.js';
import { FakeClock } from '../../helpers/fake-clock.js';
import { openDatabase, tempDir } from './helpers.js';

type Callback = (error: NodeJS.ErrnoException | null, value?: unknown) => void;

/** fs calls that answer at once, but for fsyncs, which wait until the test lets them finish. */
class HeldFiles implements WalSyncFiles {
  readonly opened: string[] = [];
  readonly fsyncs: { path: string; finish: (error?: NodeJS.ErrnoException) => void }[] = [];
  /** Set to make opens of this path fail with this code. */
  refuse: { path: string; code: string } | null = null;
  readonly #paths = new Map<number, string>();
  #nextFd = 100;

  async open(path: string): Promise<number> {
    if (this.refuse?.path === path) throw Object.assign(new Error(`${this.refuse.code}: ${path}`), { code: this.refuse.code });
    this.opened.push(path);
    const fd = this.#nextFd++;
    this.#paths.set(fd, path);
    return fd;
  }

  fsync(fd: number): Promise<void> {
    return new Promise((resolve, reject) => {
      this.fsyncs.push({ path: this.#paths.get(fd)!, finish: (error) => (error ? reject(error) : resolve()) });
    });
  }

  async close(fd: number): Promise<void> {
    this.#paths.delete(fd);
  }

  get openPaths(): string[] {
    return [...this.#paths.values()];
  }

  /** Finishes the fsyncs waiting now, in order, and lets what follows each of them run. */
  async finishAll(error?: NodeJS.ErrnoException): Promise<void> {
    for (let i = 0; i < 20; i++) {
      const waiting = this.fsyncs.splice(0);
      for (const fsync of waiting) fsync.finish(error);
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
}

/** Where a promise stands: a handler is attached at once, so a rejection is never left unhandled meanwhile. */
function track(promise: Promise<unknown>): { readonly state: 'pending' | 'resolved' | 'rejected'; readonly error: unknown } {
  const tracked = { state: 'pending' as 'pending' | 'resolved' | 'rejected', error: undefined as unknown };
  promise.then(() => (tracked.state = 'resolved'), (error: unknown) => Object.assign(tracked, { state: 'rejected', error }));
  return tracked;
}

function turn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

const isIoFault = (error: unknown): boolean => error instanceof NimbusError && error.code === 'NIMBUS_ERR_STORE_UNAVAILABLE' && error.details?.['reason'] === 'io';

test('a sync asked for while one is under way waits for the next, which every such asker shares', async () => {
  const files = new HeldFiles();
  const sync = new WalSync('/data/state.sqlite', undefined, files);
  const first = track(sync.sync());
  await turn();
  assert.deepEqual(files.fsyncs.map((f) => f.path), ['/data/state.sqlite-wal']);
  const asked = sync.sync();
  assert.equal(sync.sync(), asked, 'one next sync for both askers');
  const next = track(asked);
  assert.equal(files.fsyncs.length, 1, 'the next one does not start while the first runs: it may predate their commits');
  files.fsyncs.shift()!.finish();
  await turn();
  // The first WAL file seen: its folder entry is synced too, once.
  assert.deepEqual(files.fsyncs.map((f) => f.path), ['/data']);
  assert.equal(first.state, 'pending', 'not before its folder is synced');
  files.fsyncs.shift()!.finish();
  await turn();
  assert.equal(first.state, 'resolved');
  assert.equal(next.state, 'pending');
  assert.deepEqual(files.fsyncs.map((f) => f.path), ['/data/state.sqlite-wal'], 'the next sync started once the first ended');
  await files.finishAll();
  assert.equal(next.state, 'resolved');
  assert.deepEqual(files.opened, ['/data/state.sqlite-wal', '/data'], 'the WAL is opened once and kept; its folder is synced once');
  assert.deepEqual(files.openPaths, ['/data/state.sqlite-wal']);
  await sync.close();
  assert.deepEqual(files.openPaths, [], 'close lets the WAL go');
});

test('a WAL that cannot be opened fails only the syncs of that moment; a folder that cannot be synced is no failure', async () => {
  const files = new HeldFiles();
  const sync = new WalSync('/data/state.sqlite', undefined, files);
  files.refuse = { path: '/data/state.sqlite-wal', code: 'EMFILE' };
  const refused = track(sync.sync());
  await turn();
  assert.equal(refused.state, 'rejected');
  assert.match(String(refused.error), /EMFILE/);
  files.refuse = { path: '/data', code: 'EINVAL' };
  const next = track(sync.sync());
  await files.finishAll();
  assert.equal(next.state, 'resolved', 'the next sync opens the WAL: nothing was acknowledged unsynced');
  assert.deepEqual(files.opened, ['/data/state.sqlite-wal']);
  await sync.close();
});

test('a failed fsync fails its askers and every later sync, as a storage fault, without another fsync', async () => {
  const files = new HeldFiles();
  const sync = new WalSync('/data/state.sqlite', undefined, files);
  const first = track(sync.sync());
  await turn();
  const next = track(sync.sync());
  await files.finishAll(Object.assign(new Error('EIO: i/o error, fsync'), { code: 'EIO' }));
  const later = track(sync.sync());
  await turn();
  for (const failed of [first, next, later]) {
    assert.equal(failed.state, 'rejected');
    assert.ok(isIoFault(failed.error), String(failed.error));
  }
  assert.equal(files.fsyncs.length, 0, 'no fsync after the failure');
  await sync.close();
});

/** The process's open descriptors on `path`. */
function descriptorsOn(path: string): number {
  return readdirSync('/proc/self/fd').filter((fd) => {
    try {
      return readlinkSync(`/proc/self/fd/${fd}`) === path;
    } catch {
      return false;
    }
  }).length;
}

test('a connection in WAL mode has a WalSync, holding the WAL open from the start so its fsyncs hear of every write-back error; in memory or with a rollback journal, none', async () => {
  const tmp = tempDir();
  const file = join(tmp.dir, 'state.db');
  const wal = openDatabase(file);
  const rollback = openConnection(join(tmp.dir, 'rollback.db'));
  const memory = openConnection(':memory:');
  try {
    wal.exec('CREATE TABLE t (v TEXT); INSERT INTO t VALUES (1)');
    const before = descriptorsOn(`${file}-wal`);
    const sync = WalSync.for(wal);
    assert.ok(sync);
    assert.equal(WalSync.for(wal), sync, 'one per connection');
    assert.equal(descriptorsOn(`${file}-wal`), before + 1, 'opened at once, before any sync');
    await sync.sync();
    wal.exec('INSERT INTO t VALUES (2)');
    await sync.sync();
    assert.equal(descriptorsOn(`${file}-wal`), before + 1, 'the same descriptor, not one per sync');
    await sync.close();
    assert.equal(descriptorsOn(`${file}-wal`), before);
    assert.equal(WalSync.for(rollback), null);
    assert.equal(WalSync.for(memory), null);
  } finally {
    wal.close();
    rollback.close();
    memory.close();
    tmp.remove();
  }
});

test('a group commit acknowledges its durable writes once their sync ends, the others at the commit; both are visible at once', async () => {
  const tmp = tempDir();
  const db = openDatabase(join(tmp.dir, 'state.db'));
  const files = new HeldFiles();
  try {
    db.exec('CREATE TABLE t (v TEXT)');
    const insert = db.prepare('INSERT INTO t VALUES (?)');
    const group = new SqliteGroupCommit(db, new WalSync(join(tmp.dir, 'state.db'), undefined, files));
    const sent = track(group.run(() => insert.run('sent')));
    const leased = track(group.run(() => insert.run('leased'), { durable: false }));
    const refused = track(group.run(() => {
      throw new Error('refused');
    }));
    await turn();
    assert.equal(leased.state, 'resolved');
    assert.equal(refused.state, 'rejected', 'a failed write wrote nothing: it does not wait for the disk');
    assert.match(String(refused.error), /refused/);
    assert.equal(sent.state, 'pending');
    assert.equal(files.fsyncs.length, 1);
    assert.equal(db.pragma('synchronous', { simple: true }), 2, 'the connection is back at its own level (FULL)');
    assert.deepEqual(db.prepare('SELECT v FROM t ORDER BY rowid').pluck().all(), ['sent', 'leased']);
    const closed = track(group.close());
    await turn();
    assert.equal(closed.state, 'pending', 'close waits for the disk too');
    await files.finishAll();
    assert.equal(sent.state, 'resolved');
    assert.equal(closed.state, 'resolved');

    // A failed fsync: the durable write is told, though it was committed, and so is every durable write after it.
    const unsure = track(group.run(() => insert.run('unsure')));
    await turn();
    await files.finishAll(Object.assign(new Error('EIO'), { code: 'EIO' }));
    const after = track(group.run(() => insert.run('after')));
    const ack = track(group.run(() => insert.run('ack'), { durable: false }));
    await turn();
    assert.ok(isIoFault(unsure.error), String(unsure.error));
    assert.ok(isIoFault(after.error), String(after.error));
    assert.equal(ack.state, 'resolved', 'writes that acknowledge nothing go on');
  } finally {
    db.close();
    tmp.remove();
  }
});

test('on a node\'s guarded connection a failed fsync marks the state lost until a restart: /_nimbus/health says why, and every write is refused', async () => {
  const tmp = tempDir();
  const dataDir = join(tmp.dir, 'data');
  const file = join(dataDir, 'state.sqlite');
  const db = openSqlite(file);
  const health = new StorageHealth({ dataDir, clock: new FakeClock(), log: { error() {}, info() {} } });
  guardWrites(db, health.watchStateFile(file));
  const files = new HeldFiles();
  try {
    db.exec('CREATE TABLE t (v TEXT)');
    const insert = db.prepare('INSERT INTO t VALUES (?)');
    // As WalSync.for(db) makes it, with fs calls the test holds.
    const group = new SqliteGroupCommit(db, new WalSync(file, (error) => writeGuardOf(db)!.unsynced(error), files));
    const sent = track(group.run(() => insert.run('sent')));
    await turn();
    await files.finishAll(Object.assign(new Error('EIO: i/o error, fsync'), { code: 'EIO' }));
    assert.equal(sent.state, 'rejected');
    assert.equal((sent.error as NimbusError).code, 'NIMBUS_ERR_STORE_UNAVAILABLE');
    assert.match((sent.error as Error).message, /restart the node/);
    const status = health.status();
    assert.equal(status.lost, true);
    assert.match(status.reason ?? '', /an fsync of the state file failed \(EIO\)/);
    assert.doesNotMatch(status.reason ?? '', new RegExp(tmp.dir), 'the public reason names no path');
    const ack = track(group.run(() => insert.run('ack'), { durable: false }));
    await turn();
    assert.equal(ack.state, 'rejected', 'writes that acknowledge nothing are refused too: the log cannot be trusted');
    assert.equal(health.status().lost, true, 'and nothing clears it but a restart');
  } finally {
    db.close();
    tmp.remove();
  }
});
