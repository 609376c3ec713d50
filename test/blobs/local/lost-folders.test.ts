import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { openDatabase } from '../../../src/store/sqlite/sqlite-database.js';
import { LocalBundleStore } from '../../../src/blobs/bundles/bundle-store.js';
import { LocalBlobBackend } from '../../../src/blobs/local/local-blob-backend.js';
import { SqliteBlobIndex } from '../../../src/blobs/local/sqlite-blob-index.js';
import { systemClock } from '../../../src/shared/clock.js';
import { NimbusError } from '../../../src/shared/errors.js';
import { StorageHealth } from '../../../src/store/storage-health.js';
import { makeTempDir } from '../../helpers/temp-dir.js';

const silent = { error() {}, info() {} };

async function refusal(promise: Promise<unknown>): Promise<NimbusError> {
  const error = await promise.then(() => assert.fail('expected a rejection'), (e: unknown) => e);
  assert.ok(error instanceof NimbusError, `a NimbusError, got ${String(error)}`);
  return error;
}

test('a blob folder removed under the backend fails writes as a lost store and is not made again', async (t) => {
  const temp = makeTempDir('nimbus-lost-blobs-');
  const db = openDatabase(join(temp.dir, 'index.db'));
  t.after(() => {
    db.close();
    temp.remove();
  });
  const health = new StorageHealth({ dataDir: temp.dir, clock: systemClock, log: silent });
  const root = join(temp.dir, 'blobs');
  const backend = await LocalBlobBackend.open({ root, index: new SqliteBlobIndex(db, systemClock), faults: health });
  await backend.createBucket('files');
  await backend.putObject('files', 'a', Readable.from(['first']));
  assert.equal(statSync(join(root, 'tmp')).mode & 0o777, 0o700);

  rmSync(root, { recursive: true });
  const lost = await refusal(backend.putObject('files', 'b', Readable.from(['second'])));
  assert.equal(lost.code, 'NIMBUS_ERR_STORE_UNAVAILABLE');
  assert.equal(lost.details?.['area'], 'blobs');
  assert.equal(existsSync(root), false, 'no fresh folder to vanish with the rest');
  assert.deepEqual(health.status().faults.map((f) => `${f.area}:${f.kind}`), ['blobs:lost']);
  // Refused before anything is tried from now on, even once someone makes the folder again.
  mkdirSync(join(root, 'tmp'), { recursive: true });
  assert.equal((await refusal(backend.putObject('files', 'c', Readable.from(['third'])))).code, 'NIMBUS_ERR_STORE_UNAVAILABLE');
  // A read of data that went with the folder says why, rather than 500.
  assert.equal((await refusal(backend.getObject('files', 'a'))).code, 'NIMBUS_ERR_STORE_UNAVAILABLE');
  assert.equal((await backend.list('files')).objects.length, 1, 'the index still reads');
});

test('a bundle folder removed under the store fails deploys as a lost store and is not made again', async (t) => {
  const temp = makeTempDir('nimbus-lost-bundles-');
  t.after(() => temp.remove());
  const health = new StorageHealth({ dataDir: temp.dir, clock: systemClock, log: silent });
  const dir = join(temp.dir, 'bundles');
  const bundles = new LocalBundleStore(dir, health);
  const stored = await bundles.put('export const a = 1;', '.mjs');
  assert.equal(statSync(stored.path).mode & 0o777, 0o644 & ~process.umask(), 'readable by the sandbox user, inside a private folder');

  rmSync(dir, { recursive: true });
  const lost = await refusal(bundles.put('export const a = 2;', '.mjs'));
  assert.equal(lost.code, 'NIMBUS_ERR_STORE_UNAVAILABLE');
  assert.equal(existsSync(dir), false);
  assert.equal((await refusal(bundles.put('export const a = 1;', '.mjs'))).code, 'NIMBUS_ERR_STORE_UNAVAILABLE');
});
