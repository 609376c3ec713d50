/**
 * What every SecretStore implementation promises. Each implementation's test
 * file calls `runSecretStoreContract` with a factory for fresh, empty stores.
 */
import { describe } from 'node:test';
import assert from 'node:assert/strict';
import { withFreshStore } from './contract-harness.js';
import type { SecretStore } from '../../src/store/secret-store.js';
import { FakeClock } from '../helpers/fake-clock.js';

export interface SecretStoreHarness {
  store: SecretStore;
  clock: FakeClock;
  close(): Promise<void>;
}

const bytes = (...values: number[]) => Uint8Array.from(values);

async function sealedOf(store: SecretStore, app: string): Promise<[string, number[]][]> {
  return (await store.listSealed(app)).map((s) => [s.name, [...s.sealed]]);
}

export function runSecretStoreContract(name: string, newHarness: () => Promise<SecretStoreHarness>): void {
  const withStore = withFreshStore(newHarness);

  describe(`SecretStore contract: ${name}`, () => {
    withStore('put answers the name and its times; the sealed bytes come back exactly', async ({ store, clock }) => {
      const info = await store.put('shop', 'TOKEN', bytes(0, 255, 0, 128, 7));
      assert.deepEqual(info, { name: 'TOKEN', createdAt: clock.now(), updatedAt: clock.now() });
      const [sealed] = await store.listSealed('shop');
      assert.ok(sealed?.sealed instanceof Uint8Array);
      assert.deepEqual(await sealedOf(store, 'shop'), [['TOKEN', [0, 255, 0, 128, 7]]]);
      assert.deepEqual(await store.list('shop'), [info]);
    });

    withStore('putting an existing name replaces its value, keeps its creation time and moves its update time', async ({ store, clock }) => {
      const created = await store.put('shop', 'TOKEN', bytes(1, 2, 3));
      await clock.advance(1_000);
      const replaced = await store.put('shop', 'TOKEN', bytes(9));
      assert.deepEqual(replaced, { name: 'TOKEN', createdAt: created.createdAt, updatedAt: clock.now() });
      assert.deepEqual(await sealedOf(store, 'shop'), [['TOKEN', [9]]], 'one secret, the new value, nothing left of the old');
      assert.deepEqual(await store.list('shop'), [replaced]);
    });

    withStore('names are sorted by code point (upper case before lower case, `_` between them), not by locale', async ({ store }) => {
      const names = ['b', 'B', 'a', 'AB', 'A_A', '_x', 'A', 'Z9', 'A1'];
      for (const [n, secret] of names.entries()) await store.put('shop', secret, bytes(n));
      const expected = [...names].sort();
      assert.deepEqual(expected, ['A', 'A1', 'AB', 'A_A', 'B', 'Z9', '_x', 'a', 'b']);
      assert.deepEqual((await store.list('shop')).map((s) => s.name), expected);
      assert.deepEqual((await store.listSealed('shop')).map((s) => s.name), expected);
    });

    withStore('names are case-sensitive: TOKEN and token are two secrets', async ({ store }) => {
      await store.put('shop', 'TOKEN', bytes(1));
      await store.put('shop', 'token', bytes(2));
      assert.deepEqual(await sealedOf(store, 'shop'), [['TOKEN', [1]], ['token', [2]]]);
    });

    withStore("apps are kept apart: the same name in two apps, and one app's listing shows only its own", async ({ store }) => {
      await store.put('shop', 'TOKEN', bytes(1));
      await store.put('blog', 'TOKEN', bytes(2));
      await store.put('shop-admin', 'OTHER', bytes(3));
      assert.deepEqual(await sealedOf(store, 'shop'), [['TOKEN', [1]]]);
      assert.deepEqual(await sealedOf(store, 'blog'), [['TOKEN', [2]]]);
      assert.equal(await store.remove('shop', 'TOKEN'), true);
      assert.deepEqual(await sealedOf(store, 'blog'), [['TOKEN', [2]]], "removing one app's secret leaves the other's");
    });

    withStore('not found: an unknown app lists nothing, removing is false, removing the app is 0', async ({ store }) => {
      assert.deepEqual(await store.list('shop'), []);
      assert.deepEqual(await store.listSealed('shop'), []);
      assert.equal(await store.remove('shop', 'TOKEN'), false);
      assert.equal(await store.removeApp('shop'), 0);
      await store.put('shop', 'TOKEN', bytes(1));
      assert.equal(await store.remove('shop', 'OTHER'), false, 'a known app, an unknown name');
      assert.equal(await store.remove('blog', 'TOKEN'), false, 'a known name, another app');
    });

    withStore('remove deletes one secret, once; putting it again creates it afresh', async ({ store, clock }) => {
      await store.put('shop', 'A', bytes(1));
      await store.put('shop', 'B', bytes(2));
      assert.equal(await store.remove('shop', 'A'), true);
      assert.equal(await store.remove('shop', 'A'), false);
      assert.deepEqual(await sealedOf(store, 'shop'), [['B', [2]]]);
      await clock.advance(10);
      assert.deepEqual(await store.put('shop', 'A', bytes(3)), { name: 'A', createdAt: clock.now(), updatedAt: clock.now() });
    });

    withStore('removeApp drops every secret of that app, says how many, and no other app\'s', async ({ store }) => {
      await store.put('shop', 'B', bytes(1, 2, 3));
      await store.put('shop', 'A', bytes(4));
      await store.put('blog', 'A', bytes(5));
      assert.equal(await store.removeApp('shop'), 2);
      assert.deepEqual(await store.list('shop'), []);
      assert.deepEqual(await store.listSealed('shop'), []);
      assert.deepEqual(await sealedOf(store, 'blog'), [['A', [5]]]);
      assert.equal(await store.removeApp('shop'), 0);
    });

    withStore('large sealed values (64 KiB) are kept byte for byte', async ({ store }) => {
      const large = Uint8Array.from({ length: 65_536 }, (_, n) => (n * 131 + 7) & 0xff);
      await store.put('shop', 'BIG', large);
      const [got] = await store.listSealed('shop');
      assert.equal(got?.sealed.length, large.length);
      assert.ok(Buffer.from(got!.sealed).equals(Buffer.from(large)));
    });
  });
}
