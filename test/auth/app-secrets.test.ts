import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { inspect } from 'node:util';
import { openDatabase } from '../../src/store/sqlite/sqlite-database.js';
import { AppSecrets, MAX_SECRET_VALUE_BYTES, MAX_SECRETS_PER_APP } from '../../src/auth/app-secrets.js';
import { SecretBox } from '../../src/auth/secret-box.js';
import { SqliteSecretStore } from '../../src/store/sqlite/sqlite-secret-store.js';
import { ManualClock, tempDatabase } from './fixtures.js';

const VALUE = 'pg://user:hunter2-very-secret@db/shop';

function setUp(t: { after: (fn: () => void) => void }) {
  const database = tempDatabase();
  t.after(database.cleanup);
  const clock = new ManualClock();
  const store = new SqliteSecretStore(database.db, clock);
  const secrets = new AppSecrets(store, new SecretBox(randomBytes(32)));
  return { ...database, clock, store, secrets };
}

test('set, list, resolve and remove an app secret', async (t) => {
  const { secrets, clock } = setUp(t);
  const created = await secrets.set('shop', 'DATABASE_URL', VALUE);
  clock.advance(1000);
  await secrets.set('shop', 'API_TOKEN', 'tok');
  await secrets.set('blog', 'API_TOKEN', 'other-app');

  assert.deepEqual(await secrets.list('shop'), [
    { name: 'API_TOKEN', createdAt: created.createdAt + 1000, updatedAt: created.createdAt + 1000 },
    { name: 'DATABASE_URL', createdAt: created.createdAt, updatedAt: created.createdAt },
  ]);
  assert.deepEqual(await secrets.resolve('shop'), { API_TOKEN: 'tok', DATABASE_URL: VALUE });

  assert.equal(await secrets.remove('shop', 'API_TOKEN'), true);
  assert.equal(await secrets.remove('shop', 'API_TOKEN'), false);
  assert.deepEqual(await secrets.resolve('shop'), { DATABASE_URL: VALUE });
  assert.deepEqual(await secrets.resolve('blog'), { API_TOKEN: 'other-app' });
});

test('setting a secret again replaces its value and moves updatedAt, keeping createdAt', async (t) => {
  const { secrets, clock } = setUp(t);
  const first = await secrets.set('shop', 'TOKEN', 'one');
  clock.advance(5000);
  const second = await secrets.set('shop', 'TOKEN', 'two');
  assert.deepEqual(second, { name: 'TOKEN', createdAt: first.createdAt, updatedAt: first.createdAt + 5000 });
  assert.deepEqual(await secrets.resolve('shop'), { TOKEN: 'two' });
});

test('values never appear in list output, JSON or inspect of the objects, nor in the database file', async (t) => {
  const { secrets, store, db, file } = setUp(t);
  await secrets.set('shop', 'DATABASE_URL', VALUE);
  const outputs = [
    JSON.stringify(await secrets.list('shop')),
    JSON.stringify({ secrets, store }),
    inspect(secrets, { showHidden: true, depth: 10 }),
    inspect(store, { showHidden: true, depth: 10 }),
    String(secrets),
  ];
  for (const out of outputs) assert.ok(!out.includes('hunter2'), out);
  db.close();
  assert.ok(!readFileSync(file).includes(Buffer.from('hunter2')), 'the SQLite file holds only ciphertext');
});

test('a sealed value copied to another app in the database refuses to resolve', async (t) => {
  const { secrets, db } = setUp(t);
  await secrets.set('shop', 'TOKEN', VALUE);
  db.prepare("INSERT INTO auth_secrets SELECT 'evil', name, sealed, created_at, updated_at FROM auth_secrets WHERE app = 'shop'").run();
  await assert.rejects(secrets.resolve('evil'), { code: 'NIMBUS_ERR_SECRET_UNREADABLE', message: /secret TOKEN of app evil cannot be decrypted/ });
});

test('secrets survive reopening the database with the same master key', async (t) => {
  const { file, cleanup } = tempDatabase();
  t.after(cleanup);
  const masterKey = randomBytes(32);
  const clock = new ManualClock();
  const first = openDatabase(file);
  await new AppSecrets(new SqliteSecretStore(first, clock), new SecretBox(masterKey)).set('shop', 'TOKEN', VALUE);
  first.close();
  const second = openDatabase(file);
  t.after(() => second.close());
  assert.deepEqual(await new AppSecrets(new SqliteSecretStore(second, clock), new SecretBox(masterKey)).resolve('shop'), { TOKEN: VALUE });
});

test('names must be environment variable names and values at most 64 KiB', async (t) => {
  const { secrets } = setUp(t);
  for (const name of ['1ABC', 'has-dash', 'has space', '', 'A'.repeat(129)]) {
    await assert.rejects(secrets.set('shop', name, 'v'), { code: 'NIMBUS_ERR_BODY_INVALID', details: { field: 'name' } }, name);
  }
  await assert.rejects(secrets.set('Bad_App', 'TOKEN', 'v'), { code: 'NIMBUS_ERR_BODY_INVALID', details: { field: 'app' } });
  await secrets.set('shop', `_${'A'.repeat(127)}`, 'x'.repeat(MAX_SECRET_VALUE_BYTES));
  await assert.rejects(secrets.set('shop', 'BIG', 'x'.repeat(MAX_SECRET_VALUE_BYTES + 1)), {
    code: 'NIMBUS_ERR_BODY_TOO_LARGE',
    details: { field: 'value' },
  });
  // The cap is on bytes, not characters: 'é' is two bytes in UTF-8.
  await assert.rejects(secrets.set('shop', 'BIG', 'é'.repeat(MAX_SECRET_VALUE_BYTES / 2 + 1)), { code: 'NIMBUS_ERR_BODY_TOO_LARGE' });
});

test('an app holds at most MAX_SECRETS_PER_APP secrets, and no value holds a NUL (an environment variable would end there)', async (t) => {
  const { secrets } = setUp(t);
  for (let i = 0; i < MAX_SECRETS_PER_APP; i++) await secrets.set('shop', `S${i}`, 'v');
  await assert.rejects(secrets.set('shop', 'ONE_MORE', 'v'), { code: 'NIMBUS_ERR_BODY_INVALID', details: { field: 'name' } });
  await secrets.set('shop', 'S0', 'replaced');
  await secrets.set('other', 'S0', 'v');
  await assert.rejects(secrets.set('other', 'NUL', 'a\u0000b'), { code: 'NIMBUS_ERR_BODY_INVALID', details: { field: 'value' } });
});

test('a change made behind its back (another node) is found against what instances were given; a removed app is forgotten', async (t) => {
  const { secrets, store } = setUp(t);
  await secrets.set('shop', 'A', 'one');
  await secrets.set('blog', 'A', 'two');
  assert.deepEqual(await secrets.changedSinceGiven(), [], 'nothing was given yet');
  await secrets.resolve('shop');
  await secrets.resolve('blog');
  assert.deepEqual(await secrets.changedSinceGiven(), []);

  // Another node sets the same value again (a fresh seal) and removes one: both are changes.
  await secrets.set('shop', 'A', 'one');
  await store.remove('blog', 'A');
  assert.deepEqual((await secrets.changedSinceGiven()).sort(), ['blog', 'shop']);

  await secrets.resolve('shop');
  assert.deepEqual(await secrets.changedSinceGiven(), ['blog'], 'new instances of shop hold the new values');
  secrets.forget('blog');
  assert.deepEqual(await secrets.changedSinceGiven(), []);
});
