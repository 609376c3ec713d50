import { close, fsync, open, openSync } from 'node:fs';
import { promisify } from 'node:util';
import { dirname } from 'node:path';
import { toStorageError } from '../storage-errors.js';
import type { SqliteDatabase } from './sqlite-database.js';
import { writeGuardOf } from './write-guard.js';

/** The few fs calls a sync makes, each on libuv's thread pool; tests hand in their own. */
export interface WalSyncFiles {
  open(path: string): Promise<number>;
  fsync(fd: number): Promise<void>;
  close(fd: number): Promise<void>;
}

const NODE_FILES: WalSyncFiles = {
  open: (path) => promisify(open)(path, 'r'),
  fsync: promisify(fsync),
  close: promisify(close),
};

/** What a folder's fsync may answer where the file system cannot sync folders (SQLite and PostgreSQL ignore them too). */
const FOLDER_SYNC_UNSUPPORTED = new Set(['EINVAL', 'EBADF', 'EISDIR', 'ENOTSUP', 'EOPNOTSUPP', 'EACCES', 'EPERM']);

/** An error that fails only the syncs it happened in (the WAL could not be opened): the next sync tries again. */
class PassingSyncError extends Error {
  constructor(readonly failure: unknown) {
    super('the WAL could not be opened to sync it');
  }
}

const perConnection = new WeakMap<SqliteDatabase, WalSync | null>();

/**
 * Takes a WAL-mode connection's committed transactions to the disk with an
 * fsync on libuv's thread pool, so the event loop serves requests while the
 * disk works. A durable group commit commits like any other (`synchronous =
 * NORMAL`: its frames are written to the WAL, no fsync) and is acknowledged
 * once `sync()` resolves; with `synchronous = FULL` SQLite made the same fsync
 * inside the COMMIT, holding the event loop for as long as the disk took
 * (~0.2 ms here, 1–5 ms on network block storage, more on a busy disk).
 *
 * - **One fsync serves every commit before it started.** A sync asked for
 *   while one is under way waits for the next, which all such askers share:
 *   the one under way may have begun before their frames were written.
 * - **The WAL stays open, from the connection's start to `close()`.** Since
 *   Linux 4.16 an fsync reports a write-back error to every open file
 *   description that was open when it happened, once; a descriptor opened
 *   later would not hear of an error another (SQLite's own, at a checkpoint)
 *   had already been told, and would acknowledge sends whose frames never
 *   reached the disk. SQLite keeps the WAL file while any connection is open,
 *   so the descriptor names it until this connection closes. Its folder is
 *   synced once, as SQLite does for a file it created: without the folder
 *   entry the file is not found after a power cut.
 * - **A failed fsync fails every later one.** After a failed fsync Linux may
 *   drop the pages it could not write and report the next fsync as a
 *   success; frames lost from the middle of the WAL break its checksum
 *   chain, and recovery discards every transaction after them, acknowledged
 *   or not. Durable writes are refused from then on as a storage fault; the
 *   node must be restarted (PostgreSQL stops the server for the same reason).
 *   A WAL that cannot be opened (no descriptors left, the folder moved) fails
 *   only the syncs of that moment: nothing unsynced was acknowledged.
 *
 * Commits are visible to readers before they are durable: a consumer may
 * take a message whose sender is still waiting for the fsync. If the fsync
 * fails, the sender is told the send failed and may send it again, which
 * at-least-once delivery allows.
 */
export class WalSync {
  readonly #wal: string;
  readonly #files: WalSyncFiles;
  readonly #fault: (error: unknown) => unknown;
  #running: Promise<void> | null = null;
  #next: Promise<void> | null = null;
  /** The WAL, open until close(). */
  #fd: number | null = null;
  #folderSynced = false;
  #failed: unknown = null;

  /**
   * The connection's WalSync, or null where commits must sync themselves: a connection that is not in WAL mode (an
   * in-memory database, or a rollback journal, whose NORMAL commits are not ordered the same way).
   */
  static for(db: SqliteDatabase): WalSync | null {
    let sync = perConnection.get(db);
    if (sync === undefined) {
      const mode = String(db.pragma('journal_mode', { simple: true })).toLowerCase();
      const main = (db.pragma('database_list') as { name: string; file: string }[]).find((d) => d.name === 'main');
      sync = mode === 'wal' && main?.file ? new WalSync(main.file, (error) => writeGuardOf(db)?.unsynced(error) ?? toStorageError(error, 'state')) : null;
      if (sync) sync.#openNow();
      perConnection.set(db, sync);
    }
    return sync;
  }

  /** `fault`: the error the failure becomes for every asker from then on (the connection's write guard refuses writes). */
  constructor(databaseFile: string, fault: (error: unknown) => unknown = (error) => toStorageError(error, 'state'), files: WalSyncFiles = NODE_FILES) {
    this.#wal = `${databaseFile}-wal`;
    this.#fault = fault;
    this.#files = files;
  }

  /** Resolves once every transaction committed before the call is on the disk. */
  sync(): Promise<void> {
    if (this.#failed !== null) return Promise.reject(this.#failed);
    if (!this.#running) return this.#start();
    // The first asker while one runs makes the next sync; the others share it.
    this.#next ??= this.#running.then(
      () => {
        this.#next = null;
        return this.#start();
      },
      (error: unknown) => {
        this.#next = null;
        throw error;
      },
    );
    return this.#next;
  }

  /**
   * Opens the WAL now, so that this descriptor hears of every write-back error from here on. The connection opened it
   * in WAL mode; where it is not there yet, the first sync opens it.
   */
  #openNow(): void {
    if (this.#fd !== null) return;
    try {
      this.#fd = openSync(this.#wal, 'r');
    } catch {
      // The first sync tries again, and fails its sends if it cannot.
    }
  }

  /** Resolves when no sync is under way or waiting (whatever their outcome). */
  async idle(): Promise<void> {
    while (this.#running || this.#next) await (this.#next ?? this.#running)!.catch(() => {});
  }

  /** Waits for the syncs under way, then lets the WAL go; a later sync opens it again. */
  async close(): Promise<void> {
    await this.idle();
    const fd = this.#fd;
    this.#fd = null;
    if (fd !== null) await this.#files.close(fd).catch(() => {});
  }

  #start(): Promise<void> {
    if (this.#failed !== null) return Promise.reject(this.#failed);
    const running = this.#syncOnce().catch((error: unknown) => {
      if (error instanceof PassingSyncError) throw toStorageError(error.failure, 'state');
      this.#failed ??= this.#fault(error);
      throw this.#failed;
    });
    this.#running = running;
    const clear = (): void => {
      if (this.#running === running) this.#running = null;
    };
    running.then(clear, clear);
    return running;
  }

  async #syncOnce(): Promise<void> {
    if (this.#fd === null) {
      try {
        this.#fd = await this.#files.open(this.#wal);
      } catch (error) {
        throw new PassingSyncError(error);
      }
    }
    await this.#files.fsync(this.#fd);
    if (!this.#folderSynced) {
      await this.#syncFolder();
      this.#folderSynced = true;
    }
  }

  async #syncFolder(): Promise<void> {
    let fd: number;
    try {
      fd = await this.#files.open(dirname(this.#wal));
    } catch (error) {
      if (FOLDER_SYNC_UNSUPPORTED.has((error as NodeJS.ErrnoException).code ?? '')) return;
      throw new PassingSyncError(error);
    }
    try {
      await this.#files.fsync(fd);
    } catch (error) {
      if (!FOLDER_SYNC_UNSUPPORTED.has((error as NodeJS.ErrnoException).code ?? '')) throw error;
    } finally {
      await this.#files.close(fd).catch(() => {});
    }
  }
}

