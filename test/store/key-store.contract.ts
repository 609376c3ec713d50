/**
 * What every KeyStore implementation promises. Each implementation's test
 * file calls `runKeyStoreContract` with a factory for fresh, empty stores.
 */
import { describe } from 'node:test';
import assert from 'node:assert/strict';
import { withFreshStore } from './contract-harness.js';
import type { KeyScope, KeyStore, NewKeyRecord } from '../../src/store/key-store.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { NimbusError } from '../../src/shared/errors.js';

export interface KeyStoreHarness {
  store: KeyStore;
  clock: FakeClock;
  close(): Promise<void>;
}

const HASH = Uint8Array.from({ length: 32 }, (_, n) => (n * 37) & 0xff);

function key(id: string, scope: KeyScope, overrides: Partial<NewKeyRecord> = {}): NewKeyRecord {
  return { id, secretHash: HASH, scope, label: null, ...overrides };
}

export function runKeyStoreContract(name: string, newHarness: () => Promise<KeyStoreHarness>): void {
  const withStore = withFreshStore(newHarness);

  describe(`KeyStore contract: ${name}`, () => {
    withStore('insert answers the record it stored: created now, never used, no hash', async ({ store, clock }) => {
      const record = await store.insert(key('00aa', { kind: 'admin' }, { label: 'ops' }));
      assert.deepEqual(record, { id: '00aa', scope: { kind: 'admin' }, label: 'ops', createdAt: clock.now(), lastUsedAt: null });
    });

    withStore('get gives back the exact hash bytes and the record as inserted', async ({ store, clock }) => {
      const zeroesAndHighBytes = Uint8Array.from([0, 255, 0, 128, 1, ...new Uint8Array(27)]);
      await store.insert(key('00aa', { kind: 'function', app: 'shop', fn: 'pay' }, { secretHash: zeroesAndHighBytes, label: 'checkout' }));
      const stored = await store.get('00aa');
      assert.ok(stored);
      assert.ok(stored.secretHash instanceof Uint8Array);
      assert.deepEqual([...stored.secretHash], [...zeroesAndHighBytes]);
      const { secretHash: _hash, ...record } = stored;
      assert.deepEqual(record, { id: '00aa', scope: { kind: 'function', app: 'shop', fn: 'pay' }, label: 'checkout', createdAt: clock.now(), lastUsedAt: null });
    });

    withStore('every kind of scope round-trips unchanged', async ({ store }) => {
      const scopes: KeyScope[] = [
        { kind: 'function', app: 'shop' },
        { kind: 'function', app: 'shop', fn: 'checkout' },
        { kind: 'producer', queues: ['orders', 'emails'] },
        { kind: 'producer', queues: [] },
        { kind: 'blobs', buckets: ['avatars'], access: 'read' },
        { kind: 'blobs', buckets: ['avatars', 'docs'], access: 'write' },
        { kind: 'admin' },
        { kind: 'read' },
      ];
      for (const [n, scope] of scopes.entries()) await store.insert(key(`k${n}`, scope));
      for (const [n, scope] of scopes.entries()) assert.deepEqual((await store.get(`k${n}`))?.scope, scope);
      const listed = new Map((await store.list()).map((k) => [k.id, k.scope]));
      for (const [n, scope] of scopes.entries()) assert.deepEqual(listed.get(`k${n}`), scope);
    });

    withStore('not found: get is undefined, remove is false, touch is ignored, list is empty', async ({ store }) => {
      assert.equal(await store.get('0000'), undefined);
      assert.equal(await store.remove('0000'), false);
      await store.touch('0000');
      assert.deepEqual(await store.list(), []);
      assert.deepEqual(await store.list({ app: 'shop' }), []);
      assert.equal(await store.get('0000'), undefined, 'touch did not create a key');
    });

    withStore('an id is taken once: inserting it again is refused (409, naming the id) and the first key stands', async ({ store }) => {
      await store.insert(key('00aa', { kind: 'admin' }, { label: 'first' }));
      await assert.rejects(store.insert(key('00aa', { kind: 'producer', queues: ['q'] }, { label: 'second' })), (err) => {
        assert.ok(err instanceof NimbusError, `expected a NimbusError, got ${String(err)}`);
        assert.deepEqual([err.code, err.status, err.details?.id], ['NIMBUS_ERR_KEY_ID_TAKEN', 409, '00aa']);
        return true;
      });
      const stored = await store.get('00aa');
      assert.deepEqual([stored?.scope, stored?.label], [{ kind: 'admin' }, 'first']);
      assert.equal((await store.list()).length, 1);
    });

    withStore('lists newest first, ties in id order, and listings carry no hashes', async ({ store, clock }) => {
      await store.insert(key('00cc', { kind: 'admin' }));
      await clock.advance(10);
      await store.insert(key('00bb', { kind: 'admin' }));
      await store.insert(key('00aa', { kind: 'admin' }));
      await clock.advance(10);
      await store.insert(key('00dd', { kind: 'admin' }));
      const listed = await store.list();
      assert.deepEqual(listed.map((k) => k.id), ['00dd', '00aa', '00bb', '00cc']);
      assert.ok(listed.every((k) => !('secretHash' in k)), 'listings carry no hashes');
    });

    withStore("filtering by app gives only that app's function keys, whole-app and single-function alike", async ({ store, clock }) => {
      await store.insert(key('0001', { kind: 'function', app: 'shop' }));
      await clock.advance(1);
      await store.insert(key('0002', { kind: 'function', app: 'shop', fn: 'pay' }));
      await store.insert(key('0003', { kind: 'function', app: 'blog' }));
      await store.insert(key('0004', { kind: 'producer', queues: ['shop'] }));
      await store.insert(key('0005', { kind: 'blobs', buckets: ['shop'], access: 'write' }));
      await store.insert(key('0006', { kind: 'admin' }, { label: 'shop' }));
      assert.deepEqual((await store.list({ app: 'shop' })).map((k) => k.id), ['0002', '0001']);
      assert.deepEqual((await store.list({ app: 'blog' })).map((k) => k.id), ['0003']);
      assert.deepEqual(await store.list({ app: 'sho' }), [], 'an exact match, not a prefix');
      assert.equal((await store.list({})).length, 6, 'an empty filter is no filter');
    });

    withStore('touch records the time of last use, moving it forward with each use', async ({ store, clock }) => {
      await store.insert(key('00aa', { kind: 'admin' }));
      await store.insert(key('00bb', { kind: 'admin' }));
      await clock.advance(500);
      await store.touch('00aa');
      assert.equal((await store.get('00aa'))?.lastUsedAt, clock.now());
      await clock.advance(500);
      await store.touch('00aa');
      assert.equal((await store.get('00aa'))?.lastUsedAt, clock.now());
      assert.equal((await store.list()).find((k) => k.id === '00aa')?.lastUsedAt, clock.now(), 'listings show it too');
      assert.equal((await store.get('00bb'))?.lastUsedAt, null, 'other keys are untouched');
      assert.equal((await store.get('00aa'))?.createdAt, clock.now() - 1_000, 'the creation time stays');
    });

    withStore('revoking removes the key from get and every listing, once; other keys stay', async ({ store }) => {
      await store.insert(key('00aa', { kind: 'function', app: 'shop' }));
      await store.insert(key('00bb', { kind: 'function', app: 'shop' }));
      assert.equal(await store.remove('00aa'), true);
      assert.equal(await store.get('00aa'), undefined);
      assert.deepEqual((await store.list()).map((k) => k.id), ['00bb']);
      assert.deepEqual((await store.list({ app: 'shop' })).map((k) => k.id), ['00bb']);
      assert.equal(await store.remove('00aa'), false, 'a second revoke finds nothing');
      await store.touch('00aa');
      assert.equal(await store.get('00aa'), undefined, 'a late touch does not bring it back');
    });

    withStore('a revoked id may be inserted again as a new key', async ({ store, clock }) => {
      await store.insert(key('00aa', { kind: 'admin' }));
      await store.remove('00aa');
      await clock.advance(5);
      const again = await store.insert(key('00aa', { kind: 'producer', queues: ['q'] }));
      assert.equal(again.createdAt, clock.now());
      assert.deepEqual((await store.get('00aa'))?.scope, { kind: 'producer', queues: ['q'] });
    });
  });
}
