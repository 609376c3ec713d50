import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadOrCreateMasterKey, parseMasterKey } from '../../src/auth/master-key.js';
import { tempDir } from './fixtures.js';

test('a master key is generated into <dataDir>/master-key with mode 0600 and reused on reopen', (t) => {
  const dir = tempDir();
  t.after(dir.cleanup);
  const first = loadOrCreateMasterKey(dir.path);
  assert.equal(first.generated, true);
  assert.equal(first.key.length, 32);
  assert.equal(statSync(join(dir.path, 'master-key')).mode & 0o777, 0o600);

  const reopened = loadOrCreateMasterKey(dir.path);
  assert.equal(reopened.generated, false);
  assert.ok(reopened.key.equals(first.key));
  assert.equal(readFileSync(join(dir.path, 'master-key'), 'utf8').trim(), first.key.toString('hex'));
});

test('NIMBUS_MASTER_KEY takes 64 hex characters or base64 of 32 bytes, and no file is written', (t) => {
  const dir = tempDir();
  t.after(dir.cleanup);
  const bytes = randomBytes(32);
  assert.ok(loadOrCreateMasterKey(dir.path, bytes.toString('hex')).key.equals(bytes));
  assert.ok(loadOrCreateMasterKey(dir.path, bytes.toString('base64')).key.equals(bytes));
  assert.ok(loadOrCreateMasterKey(dir.path, bytes.toString('base64url')).key.equals(bytes));
  assert.throws(() => statSync(join(dir.path, 'master-key')), { code: 'ENOENT' });
});

test('an invalid NIMBUS_MASTER_KEY is refused with an error that explains the format and hides the value', () => {
  for (const bad of ['secret', 'ab'.repeat(31), randomBytes(16).toString('base64'), 'zz'.repeat(32)]) {
    assert.throws(
      () => parseMasterKey(bad, 'NIMBUS_MASTER_KEY'),
      (err: Error) =>
        err.message.startsWith('NIMBUS_MASTER_KEY is not a valid master key: expected 64 hex characters or base64 of 32 bytes') &&
        !err.message.includes(bad),
    );
  }
});

test('a corrupted master-key file is refused rather than silently replaced', (t) => {
  const dir = tempDir();
  t.after(dir.cleanup);
  writeFileSync(join(dir.path, 'master-key'), 'not a key\n', { mode: 0o600 });
  assert.throws(() => loadOrCreateMasterKey(dir.path), /master-key is not a valid master key/);
});
