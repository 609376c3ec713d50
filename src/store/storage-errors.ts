import { NimbusError } from '../shared/errors.js';

/** Where in the data folder a write went: the SQLite state file, blob data, stored bundles. */
export type StorageArea = 'state' | 'blobs' | 'bundles';

/**
 * What went wrong underneath. `full` passes when there is room again; `lost`
 * (the folder or state file was removed or replaced, or an fsync of committed
 * writes failed) lasts until a restart;
 * the others pass when the device lets writes through again.
 */
export type StorageFaultKind = 'full' | 'read_only' | 'denied' | 'io' | 'lost' | 'unreachable';

/** errno codes from Node's fs calls. */
const ERRNO_KINDS: Readonly<Record<string, StorageFaultKind>> = {
  ENOSPC: 'full',
  EDQUOT: 'full',
  EROFS: 'read_only',
  EACCES: 'denied',
  EPERM: 'denied',
  EIO: 'io',
  // A database or object store over the network (cluster mode) that cannot be reached. Not ECONNRESET
  // or EPIPE: those are what a client that went away mid-upload leaves, and that is no storage fault.
  ECONNREFUSED: 'unreachable',
  ETIMEDOUT: 'unreachable',
  EHOSTUNREACH: 'unreachable',
  ENETUNREACH: 'unreachable',
  EAI_AGAIN: 'unreachable',
};

/**
 * PostgreSQL SQLSTATE classes and codes that are storage faults, not bad
 * requests: connection exceptions (08), insufficient resources (53), operator
 * intervention (57P: shutdown, crash, "cannot connect now"), system errors (58).
 */
function postgresKind(sqlstate: string): StorageFaultKind | undefined {
  if (sqlstate === '53100') return 'full';
  if (sqlstate === '25006') return 'read_only';
  if (sqlstate.startsWith('08') || sqlstate.startsWith('57P') || sqlstate.startsWith('53')) return 'unreachable';
  if (sqlstate.startsWith('58')) return 'io';
  return undefined;
}

/** node-postgres reports a lost or refused connection as a plain Error with one of these messages. */
const POSTGRES_CONNECTION_MESSAGES = /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Connection terminated unexpectedly|the database system is (starting up|shutting down)/;

/**
 * AWS SDK error names (S3 and S3-compatible stores) that mean "try again
 * later": throttling and the store's own trouble, not a bad request.
 */
const OBJECT_STORE_TRANSIENT = new Set([
  'SlowDown', 'ServiceUnavailable', 'InternalError', 'RequestTimeout', 'RequestTimeoutException',
  'ThrottlingException', 'TooManyRequestsException', 'TimeoutError',
]);

/** An AWS SDK error (it carries `$metadata`) that is the object store's fault: throttled, 5xx or timed out. */
function objectStoreKind(error: object): StorageFaultKind | undefined {
  if (!('$metadata' in error)) return undefined;
  const status = (error as { $metadata?: { httpStatusCode?: unknown } }).$metadata?.httpStatusCode;
  const name = (error as { name?: unknown }).name;
  if ((typeof name === 'string' && OBJECT_STORE_TRANSIENT.has(name)) || (typeof status === 'number' && status >= 500)) return 'unreachable';
  return undefined;
}

/** SQLite's primary result codes that are storage faults (the low byte of an extended code). */
const SQLITE_PERM = 3;
const SQLITE_READONLY = 8;
const SQLITE_IOERR = 10;
const SQLITE_FULL = 13;
const SQLITE_CANTOPEN = 14;
/** SQLite's word for "the file was moved or unlinked since it was opened". */
const SQLITE_READONLY_DBMOVED = SQLITE_READONLY | (4 << 8);
/** A failed fsync of a file, or of its folder. */
const SQLITE_IOERR_FSYNC = SQLITE_IOERR | (4 << 8);
const SQLITE_IOERR_DIR_FSYNC = SQLITE_IOERR | (5 << 8);

/**
 * A failed fsync inside SQLite (a FULL commit, a checkpoint). Unlike other I/O errors it does not pass: the disk may
 * have dropped pages it could not write, which a later fsync no longer reports.
 */
export function isFailedSqliteFsync(error: unknown): boolean {
  const errcode = (error as { errcode?: unknown } | null)?.errcode;
  return errcode === SQLITE_IOERR_FSYNC || errcode === SQLITE_IOERR_DIR_FSYNC;
}

/** What each kind means to a caller, appended to the error's message. */
const DETAILS: Readonly<Record<StorageFaultKind, string>> = {
  full: 'no space left on the device that holds the data folder',
  read_only: 'the data folder is on a file system that became read-only',
  denied: 'the node is not allowed to write to its data folder',
  io: 'the device that holds the data folder reported an I/O error',
  unreachable: 'the node cannot reach its store (PostgreSQL or the object store); it retries by itself',
  lost: 'the node can no longer trust its data folder (removed or replaced while it ran, or a write the disk failed to sync); restart the node',
};

export interface ClassifyOptions {
  /**
   * The error came from writing inside a folder the node created itself:
   * a missing path (ENOENT, ENOTDIR) then means the folder was taken away.
   */
  missingMeansLost?: boolean;
}

/**
 * The storage fault behind `error`, or undefined for anything else (a bad
 * request, a constraint, a bug). Knows Node's errno codes and the extended
 * result code (`errcode`) node:sqlite errors carry, PostgreSQL's SQLSTATE and
 * the AWS SDK's S3 errors, so every storage layer
 * names faults the same way.
 */
export function classifyStorageError(error: unknown, options: ClassifyOptions = {}): StorageFaultKind | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  if (error instanceof NimbusError) return faultKindOf(error);
  const errcode = (error as { errcode?: unknown }).errcode;
  if (typeof errcode === 'number') return sqliteKind(errcode);
  const objectStore = objectStoreKind(error);
  if (objectStore) return objectStore;
  const code = (error as { code?: unknown }).code;
  if (typeof code !== 'string') {
    return error instanceof Error && POSTGRES_CONNECTION_MESSAGES.test(error.message) ? 'unreachable' : undefined;
  }
  if (/^[0-9A-Z]{5}$/.test(code) && /\d/.test(code)) return postgresKind(code);
  if (options.missingMeansLost && (code === 'ENOENT' || code === 'ENOTDIR')) return 'lost';
  return ERRNO_KINDS[code];
}

function sqliteKind(errcode: number): StorageFaultKind | undefined {
  // An extended code carries its primary one in the low byte: SQLITE_IOERR_WRITE, SQLITE_READONLY_DBMOVED…
  const primary = errcode & 0xff;
  if (primary === SQLITE_FULL) return 'full';
  if (primary === SQLITE_READONLY) return errcode === SQLITE_READONLY_DBMOVED ? 'lost' : 'read_only';
  if (primary === SQLITE_PERM) return 'denied';
  if (primary === SQLITE_IOERR || primary === SQLITE_CANTOPEN) return 'io';
  return undefined;
}

/** The NimbusError callers see for a fault: 507 when full, 503 with Retry-After otherwise. */
export function storageFaultError(kind: StorageFaultKind, area: StorageArea): NimbusError {
  const code = kind === 'full' ? 'NIMBUS_ERR_STORAGE_FULL' : 'NIMBUS_ERR_STORE_UNAVAILABLE';
  return new NimbusError(code, DETAILS[kind], { area, reason: kind });
}

/** The error a storage layer should throw for `error`: its NimbusError when it is a storage fault, else `error` itself. */
export function toStorageError(error: unknown, area: StorageArea, options: ClassifyOptions = {}): unknown {
  if (error instanceof NimbusError) return error;
  const kind = classifyStorageError(error, options);
  return kind === undefined ? error : storageFaultError(kind, area);
}

/** True for the errors storageFaultError makes: already logged and counted where they arose. */
export function isStorageFault(error: unknown): error is NimbusError {
  return error instanceof NimbusError && faultKindOf(error) !== undefined;
}

function faultKindOf(error: NimbusError): StorageFaultKind | undefined {
  if (error.code !== 'NIMBUS_ERR_STORAGE_FULL' && error.code !== 'NIMBUS_ERR_STORE_UNAVAILABLE') return undefined;
  const reason = error.details?.['reason'];
  return typeof reason === 'string' && reason in DETAILS ? (reason as StorageFaultKind) : error.code === 'NIMBUS_ERR_STORAGE_FULL' ? 'full' : 'io';
}
