import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NimbusError } from '../../src/shared/errors.js';
import { classifyStorageError, isStorageFault, storageFaultError, toStorageError } from '../../src/store/storage-errors.js';

function errno(code: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: something`), { code });
}

/** SQLite's extended result codes by name (sqlite3.h). */
const SQLITE_CODES: Readonly<Record<string, number>> = {
  SQLITE_PERM: 3, SQLITE_BUSY: 5, SQLITE_READONLY: 8, SQLITE_READONLY_RECOVERY: 8 | (1 << 8), SQLITE_READONLY_DBMOVED: 8 | (4 << 8),
  SQLITE_IOERR: 10, SQLITE_IOERR_WRITE: 10 | (3 << 8), SQLITE_IOERR_FSYNC: 10 | (4 << 8), SQLITE_CORRUPT: 11, SQLITE_FULL: 13,
  SQLITE_CANTOPEN: 14, SQLITE_CONSTRAINT_PRIMARYKEY: 19 | (6 << 8),
};

/** An error as node:sqlite throws it: the extended result code as `errcode`. */
function sqliteError(name: string): Error {
  return Object.assign(new Error('sqlite said no'), { code: 'ERR_SQLITE_ERROR', errcode: SQLITE_CODES[name], errstr: name });
}

test('a full disk or quota is "full"; a read-only, forbidden or failing device is not', () => {
  assert.equal(classifyStorageError(errno('ENOSPC')), 'full');
  assert.equal(classifyStorageError(errno('EDQUOT')), 'full');
  assert.equal(classifyStorageError(sqliteError('SQLITE_FULL')), 'full');
  assert.equal(classifyStorageError(errno('EROFS')), 'read_only');
  assert.equal(classifyStorageError(sqliteError('SQLITE_READONLY')), 'read_only');
  assert.equal(classifyStorageError(sqliteError('SQLITE_READONLY_RECOVERY')), 'read_only');
  assert.equal(classifyStorageError(errno('EACCES')), 'denied');
  assert.equal(classifyStorageError(errno('EPERM')), 'denied');
  assert.equal(classifyStorageError(sqliteError('SQLITE_PERM')), 'denied');
  assert.equal(classifyStorageError(errno('EIO')), 'io');
  assert.equal(classifyStorageError(sqliteError('SQLITE_IOERR')), 'io');
  assert.equal(classifyStorageError(sqliteError('SQLITE_IOERR_WRITE')), 'io');
  assert.equal(classifyStorageError(sqliteError('SQLITE_IOERR_FSYNC')), 'io');
  assert.equal(classifyStorageError(sqliteError('SQLITE_CANTOPEN')), 'io');
  // SQLite's own word for "the file was moved or unlinked since it was opened".
  assert.equal(classifyStorageError(sqliteError('SQLITE_READONLY_DBMOVED')), 'lost');
});

test('a missing path is a lost folder only where the node made the folder itself', () => {
  assert.equal(classifyStorageError(errno('ENOENT')), undefined);
  assert.equal(classifyStorageError(errno('ENOENT'), { missingMeansLost: true }), 'lost');
  assert.equal(classifyStorageError(errno('ENOTDIR'), { missingMeansLost: true }), 'lost');
});

test('anything else is not a storage fault and is passed on unchanged', () => {
  for (const error of [
    sqliteError('SQLITE_CONSTRAINT_PRIMARYKEY'), sqliteError('SQLITE_BUSY'), sqliteError('SQLITE_CORRUPT'),
    errno('ECONNRESET'), new RangeError('bad'), new NimbusError('NIMBUS_ERR_BODY_INVALID'), 'a string', null, undefined,
  ]) {
    assert.equal(classifyStorageError(error), undefined, String(error));
    assert.equal(toStorageError(error, 'state'), error);
    assert.equal(isStorageFault(error), false);
  }
});

test('a full disk answers 507 NIMBUS_ERR_STORAGE_FULL; every other fault 503 NIMBUS_ERR_STORE_UNAVAILABLE with Retry-After', () => {
  const full = toStorageError(sqliteError('SQLITE_FULL'), 'state') as NimbusError;
  assert.ok(full instanceof NimbusError);
  assert.equal(full.code, 'NIMBUS_ERR_STORAGE_FULL');
  assert.equal(full.status, 507);
  assert.deepEqual(full.toJSON().error, { code: 'NIMBUS_ERR_STORAGE_FULL', message: full.message, area: 'state', reason: 'full' });
  assert.match(full.message, /no space left/);

  for (const [error, reason] of [[errno('EROFS'), 'read_only'], [errno('EACCES'), 'denied'], [sqliteError('SQLITE_IOERR_WRITE'), 'io']] as const) {
    const unavailable = toStorageError(error, 'blobs') as NimbusError;
    assert.equal(unavailable.code, 'NIMBUS_ERR_STORE_UNAVAILABLE');
    assert.equal(unavailable.status, 503);
    assert.ok(unavailable.retryAfterSeconds !== undefined && unavailable.retryAfterSeconds > 0);
    assert.equal(unavailable.details?.['area'], 'blobs');
    assert.equal(unavailable.details?.['reason'], reason);
    assert.equal(isStorageFault(unavailable), true);
  }
});

test('an error already named is recognised again with its kind, and not renamed', () => {
  const lost = storageFaultError('lost', 'bundles');
  assert.equal(classifyStorageError(lost), 'lost');
  assert.equal(toStorageError(lost, 'state'), lost);
  assert.equal(classifyStorageError(storageFaultError('full', 'blobs')), 'full');
});

test('S3 errors (AWS SDK): throttling, 5xx and timeouts are "unreachable"; a missing key or a refusal is not a storage fault', () => {
  const sdkError = (name: string, status?: number): Error => Object.assign(new Error(name), { name, $metadata: status === undefined ? {} : { httpStatusCode: status } });
  for (const error of [sdkError('SlowDown', 503), sdkError('ServiceUnavailable', 503), sdkError('InternalError', 500), sdkError('Unknown', 502), sdkError('TimeoutError')]) {
    assert.equal(classifyStorageError(error), 'unreachable', error.name);
  }
  for (const error of [sdkError('NoSuchKey', 404), sdkError('AccessDenied', 403), sdkError('PreconditionFailed', 412)]) {
    assert.equal(classifyStorageError(error), undefined, error.name);
  }
});
