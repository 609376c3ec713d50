import { statfsSync, statSync } from 'node:fs';
import type { Clock, TimerHandle } from '../shared/clock.js';
import { NimbusError } from '../shared/errors.js';
import type { SqliteWriteGuard } from './sqlite/write-guard.js';
import {
  isFailedSqliteFsync,
  classifyStorageError, storageFaultError, type ClassifyOptions, type StorageArea, type StorageFaultKind,
} from './storage-errors.js';
import type { StorageFaults } from './storage-faults.js';
import { writable } from '../shared/writable.js';

/** How often the data folder's identity is checked when nothing writes. */
export const DEFAULT_CHECK_INTERVAL_MS = 1_000;
/** At most one fault line per area this often: a flood of refused writes is one line, not one per request. */
export const DEFAULT_FAULT_LOG_INTERVAL_MS = 60_000;
/** Free space a full disk needs again before the check calls it over (a write succeeding ends it sooner). */
export const DEFAULT_MIN_FREE_BYTES = 1024 * 1024;

/** Compatible with pino's logger. */
export interface StorageLog {
  error(fields: Record<string, unknown>, message: string): void;
  info(fields: Record<string, unknown>, message: string): void;
}

export interface StorageHealthOptions {
  /** The data folder; it must exist (its identity is taken now). */
  dataDir: string;
  clock: Clock;
  log: StorageLog;
  checkIntervalMs?: number;
  faultLogIntervalMs?: number;
  minFreeBytes?: number;
}

export interface StorageFault {
  area: StorageArea;
  kind: StorageFaultKind;
  /** Epoch ms. */
  since: number;
  reason: string;
}

export interface StorageStatus {
  /** No fault in force: every area takes writes. */
  healthy: boolean;
  /** Some area's folder or the state file was lost: writes there are refused until a restart. */
  lost: boolean;
  /** The first fault's reason, for a one-line answer. */
  reason?: string;
  faults: StorageFault[];
}

export interface StorageErrorCount {
  area: StorageArea;
  kind: StorageFaultKind;
  count: number;
}

interface Identity {
  dev: number;
  ino: number;
}

interface WatchedPath {
  path: string;
  identity: Identity;
}

interface AreaState extends StorageFault {
  /** Whether this fault's first line was logged (a suppressed one gets no "recovered" line either). */
  logged: boolean;
}

const ALL_AREAS: readonly StorageArea[] = ['state', 'blobs', 'bundles'];

/**
 * The node's view of its data folder. Storage layers report every write's
 * outcome here; it decides when writes are refused, keeps the counts for
 * /metrics and the status for /_nimbus/health, and logs each change of state
 * once.
 *
 * A write is acknowledged only when it is durable in a store the node can
 * still see: after each commit the state file's path must still name the file
 * that was opened (same device and inode). SQLite would otherwise go on
 * writing into an unlinked file. Once the folder or the state file is gone or
 * replaced, the store is lost until the node restarts (an open connection
 * cannot be re-pointed); a periodic check finds that even when nothing writes.
 * A full disk, a read-only file system or an I/O error only fail the writes
 * that hit them, and pass.
 */
export class StorageHealth implements StorageFaults {
  readonly #clock: Clock;
  readonly #log: StorageLog;
  readonly #checkIntervalMs: number;
  readonly #faultLogIntervalMs: number;
  readonly #minFreeBytes: number;
  readonly #folder: WatchedPath;
  #stateFile: WatchedPath | null = null;
  /** Blob data and bundle folders: lost on their own when they vanish, probed for room. The state file's is the data folder. */
  readonly #areaFolders = new Map<StorageArea, WatchedPath>();
  readonly #faults = new Map<StorageArea, AreaState>();
  readonly #errors = new Map<string, StorageErrorCount>();
  readonly #lastFaultLine = new Map<StorageArea, number>();
  readonly #suppressedLines = new Map<StorageArea, number>();
  #timer: TimerHandle | null = null;
  #closed = false;

  constructor(options: StorageHealthOptions) {
    this.#clock = options.clock;
    this.#log = options.log;
    this.#checkIntervalMs = options.checkIntervalMs ?? DEFAULT_CHECK_INTERVAL_MS;
    this.#faultLogIntervalMs = options.faultLogIntervalMs ?? DEFAULT_FAULT_LOG_INTERVAL_MS;
    this.#minFreeBytes = options.minFreeBytes ?? DEFAULT_MIN_FREE_BYTES;
    this.#folder = watch(options.dataDir);
  }

  /** Takes the state file's identity now and returns the guard its connection reports writes to. */
  watchStateFile(path: string): SqliteWriteGuard {
    this.#stateFile = watch(path);
    return {
      beforeWrite: () => this.assertWritable('state'),
      afterCommit: (faulted) => this.#afterStateCommit(faulted),
      fault: (error) => (isFailedSqliteFsync(error) ? this.#unsynced(path, error) : this.fault('state', error)),
      unsynced: (error) => this.#unsynced(path, error),
    };
  }

  watchFolder(area: StorageArea, path: string): void {
    this.#areaFolders.set(area, watch(path));
  }

  /** Starts the periodic check; the timer never keeps the process alive. */
  start(): void {
    if (this.#timer || this.#closed) return;
    const tick = (): void => {
      this.check();
      if (!this.#closed) this.#timer = this.#schedule(tick);
    };
    this.#timer = this.#schedule(tick);
  }

  close(): void {
    this.#closed = true;
    if (this.#timer) this.#clock.clearTimeout(this.#timer);
    this.#timer = null;
  }

  assertWritable(area: StorageArea): void {
    const fault = this.#faults.get(area);
    if (fault?.kind === 'lost') throw this.#answer(area, 'lost');
  }

  succeeded(area: StorageArea): void {
    if (this.#faults.size === 0) return;
    const fault = this.#faults.get(area);
    if (fault && fault.kind !== 'lost') this.#recover(area, fault, 'a write succeeded');
  }

  fault(area: StorageArea, error: unknown, options: ClassifyOptions = {}): unknown {
    const kind = classifyStorageError(error, options);
    if (kind === undefined) return error;
    // Already named (by a statement inside the transaction that is failing now): counted once.
    if (error instanceof NimbusError) return error;
    if (kind === 'lost') {
      // A missing folder: find out whether the whole data folder went, or only this area's.
      this.check();
      if (this.#faults.get(area)?.kind !== 'lost') this.#markLost([area], `files of ${area} were removed or moved`, this.#areaFolders.get(area)?.path ?? this.#folder.path);
    } else {
      this.#enter(area, kind, error);
    }
    return this.#answer(area, kind);
  }

  missing(area: StorageArea, error: unknown): unknown {
    this.check();
    return this.#faults.get(area)?.kind === 'lost' ? this.#answer(area, 'lost') : error;
  }

  /**
   * Compares the data folder, the state file and each area's folder with what
   * was opened, and sees whether a full or read-only area takes writes again.
   * A few stat calls: run every second, and whenever a write found a path missing.
   */
  check(): void {
    const folder = changed(this.#folder);
    if (folder) this.#markLost(ALL_AREAS, `the data folder was ${folder}`, this.#folder.path);
    const state = this.#stateFile && changed(this.#stateFile);
    if (state) this.#markLost(ALL_AREAS, `the state file was ${state}`, this.#stateFile!.path);
    for (const [area, watched] of this.#areaFolders) {
      const how = changed(watched);
      if (how) this.#markLost([area], `the ${area} folder was ${how}`, watched.path);
    }
    for (const [area, fault] of this.#faults) {
      const folder = this.#areaFolders.get(area)?.path ?? this.#folder.path;
      if (fault.kind === 'full' && freeBytes(folder) >= this.#minFreeBytes) this.#recover(area, fault, 'there is room again');
      if ((fault.kind === 'read_only' || fault.kind === 'denied') && writable(folder)) this.#recover(area, fault, 'the folder is writable again');
    }
  }

  status(): StorageStatus {
    const faults = [...this.#faults.values()].map(({ area, kind, since, reason }) => ({ area, kind, since, reason }));
    const lost = faults.find((f) => f.kind === 'lost');
    const first = lost ?? faults[0];
    return { healthy: faults.length === 0, lost: lost !== undefined, ...(first ? { reason: first.reason } : {}), faults };
  }

  /** Storage errors answered so far, by area and kind: `nimbus_storage_errors_total`. */
  errorCounts(): StorageErrorCount[] {
    return [...this.#errors.values()].map((entry) => ({ ...entry }));
  }

  /** An fsync of committed state failed (SQLite's own, or WalSync's): lost until a restart. */
  #unsynced(path: string, error: unknown): NimbusError {
    // The reason is public (/_nimbus/health): a code only, as an open's message would name the path.
    const { code, errcode } = (error ?? {}) as { code?: unknown; errcode?: unknown };
    const which = typeof errcode === 'number' ? `SQLite result code ${errcode}` : typeof code === 'string' ? code : undefined;
    this.#markLost(['state'], `an fsync of the state file failed${which ? ` (${which})` : ''}: what it holds may not all be on the disk`, path);
    return this.#answer('state', 'lost');
  }

  #afterStateCommit(faulted: boolean): void {
    const file = this.#stateFile;
    if (file) {
      const how = changed(file);
      if (how) {
        this.#markLost(ALL_AREAS, `the state file was ${how}`, file.path);
        // The commit went to a file nobody will ever open again: it must not be acknowledged.
        throw this.#answer('state', 'lost');
      }
    }
    if (!faulted) this.succeeded('state');
  }

  /** Counts one refused or failed operation and makes the error its caller sees. */
  #answer(area: StorageArea, kind: StorageFaultKind): NimbusError {
    const key = `${area}:${kind}`;
    const entry = this.#errors.get(key);
    if (entry) entry.count++;
    else this.#errors.set(key, { area, kind, count: 1 });
    return storageFaultError(kind, area);
  }

  #enter(area: StorageArea, kind: StorageFaultKind, error: unknown): void {
    const current = this.#faults.get(area);
    if (current?.kind === 'lost' || current?.kind === kind) return;
    const answer = storageFaultError(kind, area);
    const fault: AreaState = { area, kind, since: this.#clock.now(), reason: answer.message, logged: false };
    this.#faults.set(area, fault);
    const now = this.#clock.monotonic();
    const last = this.#lastFaultLine.get(area);
    if (last !== undefined && now - last < this.#faultLogIntervalMs) {
      this.#suppressedLines.set(area, (this.#suppressedLines.get(area) ?? 0) + 1);
      return;
    }
    const suppressed = this.#suppressedLines.get(area) ?? 0;
    this.#suppressedLines.delete(area);
    this.#lastFaultLine.set(area, now);
    fault.logged = true;
    this.#log.error(
      { area, kind, code: answer.code, cause: describeCause(error), ...(suppressed > 0 ? { faultsNotLogged: suppressed } : {}) },
      `storage fault: ${answer.message}; ${area} writes answer ${answer.code} until it passes`,
    );
  }

  #recover(area: StorageArea, fault: AreaState, why: string): void {
    this.#faults.delete(area);
    if (!fault.logged) return;
    this.#log.info({ area, kind: fault.kind, faultMs: this.#clock.now() - fault.since }, `storage recovered: ${area} writes work again (${why})`);
  }

  /** `reason` is shown to anyone who asks /_nimbus/health, so it names no path; the log line does. */
  #markLost(areas: readonly StorageArea[], reason: string, path: string): void {
    const newly = areas.filter((area) => this.#faults.get(area)?.kind !== 'lost');
    if (newly.length === 0) return;
    const since = this.#clock.now();
    for (const area of newly) this.#faults.set(area, { area, kind: 'lost', since, reason, logged: true });
    this.#log.error(
      { areas: newly, kind: 'lost', path, code: 'NIMBUS_ERR_STORE_UNAVAILABLE' },
      `storage lost: ${reason}; writes are refused and /_nimbus/health answers 503 until the node restarts`,
    );
  }

  #schedule(fn: () => void): TimerHandle {
    const handle = this.#clock.setTimeout(fn, this.#checkIntervalMs);
    handle.unref();
    return handle;
  }
}

function watch(path: string): WatchedPath {
  const identity = identityOf(path);
  if (!identity) throw new Error(`${path} does not exist`);
  return { path, identity };
}

/** undefined when the path names nothing; null when it cannot be told (then nothing is concluded). */
function identityOf(path: string): Identity | undefined | null {
  try {
    const stats = statSync(path, { throwIfNoEntry: false });
    return stats ? { dev: stats.dev, ino: stats.ino } : undefined;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ENOTDIR' ? undefined : null;
  }
}

/** How the path changed since it was watched, or null when it still names the same file. */
function changed(watched: WatchedPath): 'removed' | 'replaced' | null {
  const now = identityOf(watched.path);
  if (now === undefined) return 'removed';
  if (now === null) return null;
  return now.dev === watched.identity.dev && now.ino === watched.identity.ino ? null : 'replaced';
}

function freeBytes(path: string): number {
  try {
    const stats = statfsSync(path);
    return stats.bavail * stats.bsize;
  } catch {
    return 0;
  }
}


function describeCause(error: unknown): string {
  if (typeof error !== 'object' || error === null) return String(error);
  const { code, errcode, message } = error as { code?: unknown; errcode?: unknown; message?: unknown };
  // node:sqlite's code is ERR_SQLITE_ERROR for everything; its extended result code says which.
  const sqlite = typeof errcode === 'number' ? `SQLite result code ${errcode}` : undefined;
  return [code, sqlite, message].filter((part) => typeof part === 'string').join(': ');
}
