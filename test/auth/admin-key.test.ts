import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ADMIN_KEY_PREFIX, constantTimeEqual, loadOrCreateAdminKey, readAdminKey } from '../../src/auth/admin-key.js';
import { tempDir } from './fixtures.js';

test('the first start generates an admin key into <dataDir>/admin-key, readable by the owner only', (t) => {
  const dir = tempDir();
  t.after(dir.cleanup);
  const dataDir = join(dir.path, 'data');

  const first = loadOrCreateAdminKey(dataDir);
  assert.equal(first.generated, true);
  assert.ok(first.key.startsWith(ADMIN_KEY_PREFIX));
  assert.ok(first.key.length >= ADMIN_KEY_PREFIX.length + 43, '32 random bytes in base64url');
  assert.equal(statSync(dataDir).mode & 0o777, 0o700);
  assert.equal(statSync(join(dataDir, 'admin-key')).mode & 0o777, 0o600);
  assert.equal(readFileSync(join(dataDir, 'admin-key'), 'utf8').trim(), first.key);
});

test('later starts reuse the stored key, and the CLI can read it', (t) => {
  const dir = tempDir();
  t.after(dir.cleanup);
  const first = loadOrCreateAdminKey(dir.path);
  const again = loadOrCreateAdminKey(dir.path);
  assert.deepEqual(again, { key: first.key, generated: false });
  assert.equal(readAdminKey(dir.path), first.key);
});

test('NIMBUS_ADMIN_KEY wins over the file and writes nothing', (t) => {
  const dir = tempDir();
  t.after(dir.cleanup);
  writeFileSync(join(dir.path, 'admin-key'), 'from-file\n');
  assert.deepEqual(loadOrCreateAdminKey(dir.path, 'from-env'), { key: 'from-env', generated: false });
  assert.deepEqual(loadOrCreateAdminKey(dir.path, ''), { key: 'from-file', generated: false }, 'an empty variable counts as unset');
});

test('readAdminKey is undefined before the first start, and an empty key file is refused loudly', (t) => {
  const dir = tempDir();
  t.after(dir.cleanup);
  assert.equal(readAdminKey(dir.path), undefined);
  writeFileSync(join(dir.path, 'admin-key'), '\n');
  assert.throws(() => loadOrCreateAdminKey(dir.path), /admin-key is empty/);
});

test('constantTimeEqual compares keys of any length', () => {
  assert.equal(constantTimeEqual('nbk_admin_abc', 'nbk_admin_abc'), true);
  assert.equal(constantTimeEqual('nbk_admin_abc', 'nbk_admin_abd'), false);
  assert.equal(constantTimeEqual('nbk_admin_abc', 'nbk'), false);
  assert.equal(constantTimeEqual('nbk_admin_abc', ''), false);
});
