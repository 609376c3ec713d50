import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SqliteKeyStore } from '../../../src/store/sqlite/sqlite-key-store.js';
import { ManualClock, tempDatabase } from '../../auth/fixtures.js';

test('the SQLite key store lists newest first, filters by app and records last use', async (t) => {
  const { db, cleanup } = tempDatabase();
  t.after(cleanup);
  const clock = new ManualClock();
  const store = new SqliteKeyStore(db, clock);
  const hash = new Uint8Array(32).fill(7);
  await store.insert({ id: 'aaaa', secretHash: hash, scope: { kind: 'function', app: 'shop' }, label: null });
  clock.advance(10);
  await store.insert({ id: 'bbbb', secretHash: hash, scope: { kind: 'producer', queues: ['q'] }, label: 'ingest' });

  assert.deepEqual((await store.list()).map((k) => k.id), ['bbbb', 'aaaa']);
  assert.deepEqual((await store.list({ app: 'shop' })).map((k) => k.id), ['aaaa']);
  assert.deepEqual([...((await store.get('aaaa'))?.secretHash ?? [])], [...hash]);
  assert.equal('secretHash' in ((await store.list())[0] ?? {}), false, 'listings carry no hashes');

  clock.advance(500);
  await store.touch('aaaa');
  await store.touch('missing');
  assert.equal((await store.get('aaaa'))?.lastUsedAt, clock.now());
  assert.equal(await store.remove('aaaa'), true);
  assert.equal(await store.get('aaaa'), undefined);
});
