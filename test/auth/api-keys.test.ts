import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ApiKeys, VERIFIED_KEY_TTL_MS } from '../../src/auth/api-keys.js';
import type { KeyStore } from '../../src/store/key-store.js';
import { SqliteKeyStore } from '../../src/store/sqlite/sqlite-key-store.js';
import { ManualClock, tempDatabase } from './fixtures.js';

/** Counts how often verify reaches the store, to show the cache at work. */
function countingGets(store: KeyStore): { store: KeyStore; gets: () => number } {
  let gets = 0;
  const counted: KeyStore = {
    insert: (r) => store.insert(r),
    get: (id) => {
      gets++;
      return store.get(id);
    },
    list: (f) => store.list(f),
    remove: (id) => store.remove(id),
    touch: (id) => store.touch(id),
  };
  return { store: counted, gets: () => gets };
}

function setUp(t: { after: (fn: () => void) => void }) {
  const database = tempDatabase();
  t.after(database.cleanup);
  const clock = new ManualClock();
  const counted = countingGets(new SqliteKeyStore(database.db, clock));
  return { ...database, clock, gets: counted.gets, keys: new ApiKeys(counted.store, clock) };
}

test('a created key is nbk_<id>_<secret>, verifies to its scope and is listed without key material', async (t) => {
  const { keys, clock } = setUp(t);
  const created = await keys.create({ kind: 'function', app: 'shop', fn: 'checkout' }, 'storefront');
  assert.match(created.key, new RegExp(`^nbk_${created.id}_[A-Za-z0-9_-]{43}$`));
  assert.deepEqual(await keys.verify(created.key), { kind: 'function', app: 'shop', fn: 'checkout' });

  assert.deepEqual(await keys.list(), [
    { id: created.id, scope: { kind: 'function', app: 'shop', fn: 'checkout' }, label: 'storefront', createdAt: clock.now(), lastUsedAt: clock.now() },
  ]);
  assert.ok(!JSON.stringify(await keys.list()).includes(created.key.slice(-43)));
});

test('a wrong secret, a malformed key or an unknown id is refused', async (t) => {
  const { keys } = setUp(t);
  const { key, id } = await keys.create({ kind: 'admin' });
  const wrongSecret = `nbk_${id}_${'A'.repeat(43)}`;
  assert.equal(await keys.verify(wrongSecret), undefined);
  assert.equal(await keys.verify(key.slice(0, -1)), undefined);
  assert.equal(await keys.verify(`nbk_0000000000000000_${key.slice(-43)}`), undefined);
  assert.equal(await keys.verify(''), undefined);
  // A wrong secret is refused from the cache too, once the right one is cached.
  assert.ok(await keys.verify(key));
  assert.equal(await keys.verify(wrongSecret), undefined);
});

test('verified keys are cached briefly, so repeated requests do not hit the store', async (t) => {
  const { keys, clock, gets } = setUp(t);
  const { key } = await keys.create({ kind: 'producer', queues: ['orders'] });
  await keys.verify(key);
  await keys.verify(key);
  await keys.verify(key);
  assert.equal(gets(), 1);
  clock.advance(VERIFIED_KEY_TTL_MS);
  await keys.verify(key);
  assert.equal(gets(), 2, 'the cache entry expired');
});

test('a revoked key is refused at once, even when it was cached', async (t) => {
  const { keys } = setUp(t);
  const { key, id } = await keys.create({ kind: 'function', app: 'shop' });
  assert.ok(await keys.verify(key));
  assert.equal(await keys.revoke(id), true);
  assert.equal(await keys.verify(key), undefined);
  assert.equal(await keys.revoke(id), false);
  assert.deepEqual(await keys.list(), []);
});

test('a verify that raced a revoke does not put the revoked key back in the cache', async (t) => {
  const database = tempDatabase();
  t.after(database.cleanup);
  const clock = new ManualClock();
  const sqlite = new SqliteKeyStore(database.db, clock);
  // The store read happens before the revoke, but its answer arrives after the revoke finished.
  let releaseRead = (): void => {};
  const readHeld = new Promise<void>((resolve) => (releaseRead = resolve));
  let holdNextRead = false;
  const slowReads: KeyStore = {
    insert: (r) => sqlite.insert(r),
    get: async (id) => {
      const row = await sqlite.get(id);
      if (holdNextRead) await readHeld;
      return row;
    },
    list: (f) => sqlite.list(f),
    remove: (id) => sqlite.remove(id),
    touch: (id) => sqlite.touch(id),
  };
  const keys = new ApiKeys(slowReads, clock);
  const { key, id } = await keys.create({ kind: 'function', app: 'shop' });

  holdNextRead = true;
  const racing = keys.verify(key);
  holdNextRead = false;
  await keys.revoke(id);
  releaseRead();
  assert.ok(await racing, 'the racing request read the key before it was revoked');
  assert.equal(await keys.verify(key), undefined, 'but the key was not cached for later requests');
});

test('the database stores a hash of the secret, never the key', async (t) => {
  const { keys, db, file } = setUp(t);
  const created = await keys.create({ kind: 'admin' }, 'ops');
  await keys.verify(created.key);
  db.close();
  const bytes = readFileSync(file);
  assert.ok(bytes.includes(Buffer.from(created.id)), 'the id is stored (sanity check that we read the right file)');
  assert.ok(!bytes.includes(Buffer.from(created.key)), 'the full key is absent');
  assert.ok(!bytes.includes(Buffer.from(created.key.slice(-43))), 'the secret part is absent');
});

test('keys can be listed per app; scopes and labels are validated', async (t) => {
  const { keys } = setUp(t);
  const shop = await keys.create({ kind: 'function', app: 'shop' });
  await keys.create({ kind: 'function', app: 'blog' });
  await keys.create({ kind: 'producer', queues: ['orders'] });
  assert.deepEqual((await keys.list({ app: 'shop' })).map((k) => k.id), [shop.id]);
  assert.equal((await keys.list()).length, 3);

  await assert.rejects(keys.create({ kind: 'function', app: 'Shop!' }), { code: 'NIMBUS_ERR_BODY_INVALID', details: { field: 'scope.app' } });
  await assert.rejects(keys.create({ kind: 'producer', queues: [] }), { code: 'NIMBUS_ERR_BODY_INVALID', details: { field: 'scope.queues' } });
  await assert.rejects(keys.create({ kind: 'function', app: 'shop' }, 'x'.repeat(201)), { details: { field: 'label' } });
});
