/**
 * What every AppStore implementation promises. Each implementation's test
 * file calls `runAppStoreContract` with a factory for fresh, empty stores.
 */
import { describe } from 'node:test';
import assert from 'node:assert/strict';
import { withFreshStore } from './contract-harness.js';
import type { AppStore, FunctionManifest, NewVersion } from '../../src/store/store.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { NimbusError, type ErrorCode } from '../../src/shared/errors.js';

/** An assert.rejects check: a NimbusError with this code and HTTP status. */
function isNimbusError(code: ErrorCode, status: number): (err: unknown) => boolean {
  return (err) => {
    assert.ok(err instanceof NimbusError, `expected a NimbusError, got ${String(err)}`);
    assert.equal(err.code, code, err.message);
    assert.equal(err.status, status);
    return true;
  };
}

export interface AppStoreHarness {
  store: AppStore;
  clock: FakeClock;
  /** Leaves a version as the release before the compact manifests stored it: the plain array alone. */
  storeAsEarlierRelease(app: string, version: number): Promise<void>;
  close(): Promise<void>;
}

const manifest: FunctionManifest = {
  name: 'checkout',
  kind: 'http',
  settings: {
    memoryMb: 128, timeoutMs: 10_000, concurrency: 1, minInstances: 0, maxInstances: 4, idleTimeoutMs: 60_000,
    queueLimit: 100, queueTimeoutMs: 5_000, env: { REGION: 'eu' }, network: { allow: ['api.example.com'] }, cpuShares: 1024,
  },
  trigger: { route: '/checkout', methods: ['POST'], nested: { a: [1, 'two', null] } },
};

function bundle(n: number, sourceMap = true): NewVersion {
  return {
    bundleHash: `bundle-${n}`,
    sourceMapHash: sourceMap ? `map-${n}` : null,
    bundleSize: 1_000 + n,
    functions: [{ ...manifest, name: `fn-${n}` }],
  };
}

export function runAppStoreContract(name: string, newHarness: () => Promise<AppStoreHarness>): void {
  const withStore = withFreshStore(newHarness);

  describe(`AppStore contract: ${name}`, () => {
    withStore('an empty store knows no apps, versions or bundles', async ({ store }) => {
      assert.deepEqual(await store.list(), []);
      assert.equal(await store.get('shop'), undefined);
      assert.deepEqual(await store.listVersions('shop'), []);
      assert.equal(await store.getVersion('shop', 1), undefined);
      assert.deepEqual(await store.listLive(), []);
      assert.deepEqual(await store.referencedBundleHashes(), new Set());
      assert.equal(await store.remove('shop'), false);
    });

    withStore('the first version creates the app, is numbered 1 and is live', async ({ store, clock }) => {
      const t0 = clock.now();
      const created = await store.createVersion('shop', bundle(1));
      assert.deepEqual(created, { app: 'shop', version: 1, ...bundle(1), createdAt: t0 });
      assert.deepEqual(await store.get('shop'), { name: 'shop', liveVersion: 1, createdAt: t0, updatedAt: t0 });
      assert.deepEqual(await store.getVersion('shop', 1), created);
      assert.deepEqual(await store.listLive(), [created]);
    });

    withStore('manifests, sizes and a missing source map come back exactly as stored', async ({ store }) => {
      const version: NewVersion = {
        bundleHash: 'b', sourceMapHash: null, bundleSize: 0,
        functions: [manifest, { ...manifest, name: 'nightly', kind: 'timer', trigger: { cron: '0 3 * * *' } }],
      };
      await store.createVersion('shop', version);
      const stored = await store.getVersion('shop', 1);
      assert.deepEqual(stored?.functions, version.functions);
      assert.equal(stored?.sourceMapHash, null);
      assert.equal(stored?.bundleSize, 0);
    });

    withStore('versions are numbered 1, 2, 3… per app; each new one goes live; the app keeps its creation time', async ({ store, clock }) => {
      const t0 = clock.now();
      await store.createVersion('shop', bundle(1));
      await clock.advance(1_000);
      await store.createVersion('blog', bundle(2));
      await clock.advance(1_000);
      const third = await store.createVersion('shop', bundle(3));
      assert.equal(third.version, 2);
      assert.equal(third.createdAt, t0 + 2_000);
      assert.equal((await store.getVersion('blog', 1))?.bundleHash, 'bundle-2');
      assert.equal(await store.getVersion('blog', 2), undefined, 'numbering is per app');
      assert.deepEqual(await store.get('shop'), { name: 'shop', liveVersion: 2, createdAt: t0, updatedAt: t0 + 2_000 });
      assert.deepEqual((await store.listVersions('shop')).map((v) => [v.version, v.bundleHash, v.createdAt]), [
        [1, 'bundle-1', t0], [2, 'bundle-3', t0 + 2_000],
      ]);
    });

    withStore('the same bundle deployed twice is two versions', async ({ store }) => {
      await store.createVersion('shop', bundle(1));
      const again = await store.createVersion('shop', bundle(1));
      assert.equal(again.version, 2);
      assert.deepEqual((await store.listVersions('shop')).map((v) => v.bundleHash), ['bundle-1', 'bundle-1']);
    });

    withStore('versions created at the same time for one app get distinct consecutive numbers', async ({ store }) => {
      const created = await Promise.all([1, 2, 3, 4, 5, 6].map((n) => store.createVersion('shop', bundle(n))));
      assert.deepEqual(created.map((v) => v.version).sort((a, b) => a - b), [1, 2, 3, 4, 5, 6]);
      for (const v of created) assert.equal((await store.getVersion('shop', v.version))?.bundleHash, v.bundleHash);
      const live = (await store.get('shop'))?.liveVersion;
      assert.ok(live !== null && live !== undefined);
      assert.deepEqual((await store.listLive()).map((v) => [v.app, v.version]), [['shop', live]]);
    });

    withStore('apps are listed by name, live versions by app, versions by number', async ({ store }) => {
      for (const app of ['zeta', 'alpha', 'mid', 'alpha', 'zeta', 'zeta']) await store.createVersion(app, bundle(1));
      assert.deepEqual((await store.list()).map((a) => [a.name, a.liveVersion]), [['alpha', 2], ['mid', 1], ['zeta', 3]]);
      assert.deepEqual((await store.listLive()).map((v) => [v.app, v.version]), [['alpha', 2], ['mid', 1], ['zeta', 3]]);
      assert.deepEqual((await store.listVersions('zeta')).map((v) => v.version), [1, 2, 3]);
    });

    withStore('setLive switches the live version back and forth without making a new one', async ({ store, clock }) => {
      const t0 = clock.now();
      const v1 = await store.createVersion('shop', bundle(1));
      await store.createVersion('shop', bundle(2));
      await store.createVersion('blog', bundle(9));
      await clock.advance(500);
      await store.setLive('shop', 1);
      assert.deepEqual(await store.get('shop'), { name: 'shop', liveVersion: 1, createdAt: t0, updatedAt: t0 + 500 });
      assert.deepEqual((await store.listLive()).map((v) => [v.app, v.version]), [['blog', 1], ['shop', 1]]);
      assert.deepEqual((await store.listLive()).find((v) => v.app === 'shop'), v1);
      assert.equal((await store.listVersions('shop')).length, 2);
      // Setting the version that is already live changes nothing but the time.
      await store.setLive('shop', 1);
      await store.setLive('shop', 2);
      assert.equal((await store.get('shop'))?.liveVersion, 2);
      assert.equal((await store.get('blog'))?.liveVersion, 1, 'other apps are untouched');
      // A later deploy still takes the next number, not live + 1.
      await store.setLive('shop', 1);
      assert.equal((await store.createVersion('shop', bundle(3))).version, 3);
    });

    withStore('setLive on an app that does not exist is a 404 and creates nothing', async ({ store }) => {
      await assert.rejects(store.setLive('ghost', 1), isNimbusError('NIMBUS_ERR_APP_NOT_FOUND', 404));
      assert.equal(await store.get('ghost'), undefined);
      assert.deepEqual(await store.list(), []);
      assert.deepEqual(await store.listLive(), []);
    });

    withStore('setLive to a version the app does not have is a 404 and changes nothing', async ({ store, clock }) => {
      await store.createVersion('shop', bundle(1));
      await store.createVersion('shop', bundle(2));
      const before = await store.get('shop');
      await clock.advance(500);
      for (const missing of [3, 0, -1]) {
        await assert.rejects(store.setLive('shop', missing), isNimbusError('NIMBUS_ERR_VERSION_NOT_FOUND', 404));
      }
      assert.deepEqual(await store.get('shop'), before, 'neither the live version nor the update time moved');
      assert.deepEqual((await store.listLive()).map((v) => [v.app, v.version]), [['shop', 2]]);
    });

    withStore('every bundle and source map any version references is reported, once each', async ({ store }) => {
      await store.createVersion('shop', bundle(1));
      await store.createVersion('shop', bundle(2, false));
      await store.createVersion('blog', bundle(1));
      await store.setLive('shop', 2);
      assert.deepEqual(await store.referencedBundleHashes(), new Set(['bundle-1', 'map-1', 'bundle-2']));
    });

    withStore('remove forgets the app and all its versions, once; other apps stay', async ({ store }) => {
      await store.createVersion('shop', bundle(1));
      await store.createVersion('shop', bundle(2));
      const blog = await store.createVersion('blog', bundle(3));
      assert.equal(await store.remove('shop'), true);
      assert.equal(await store.get('shop'), undefined);
      assert.deepEqual(await store.listVersions('shop'), []);
      assert.equal(await store.getVersion('shop', 1), undefined);
      assert.deepEqual(await store.list(), [await store.get('blog')]);
      assert.deepEqual(await store.listLive(), [blog]);
      assert.deepEqual(await store.referencedBundleHashes(), new Set(['bundle-3', 'map-3']));
      assert.equal(await store.remove('shop'), false, 'a second remove finds nothing');
    });

    withStore('an app deployed again after removal continues the numbering: no number is ever given to other code', async ({ store, clock }) => {
      await store.createVersion('shop', bundle(1));
      await store.createVersion('shop', bundle(2));
      await store.remove('shop');
      await clock.advance(1_000);
      const again = await store.createVersion('shop', bundle(3));
      assert.equal(again.version, 3, 'a node that cached shop@1 or shop@2 must never see other code under that number');
      assert.deepEqual(await store.get('shop'), { name: 'shop', liveVersion: 3, createdAt: clock.now(), updatedAt: clock.now() });
      assert.deepEqual((await store.listVersions('shop')).map((v) => [v.version, v.bundleHash]), [[3, 'bundle-3']]);
      assert.equal(await store.getVersion('shop', 1), undefined);
      await store.remove('shop');
      assert.equal((await store.createVersion('shop', bundle(4))).version, 4);
      assert.equal((await store.createVersion('blog', bundle(5))).version, 1, 'other apps count on their own');
    });
    withStore('functions with equal settings come back sharing one settings object, however a version is read', async ({ store }) => {
      const other = { ...manifest.settings, memoryMb: 256 };
      const version: NewVersion = {
        bundleHash: 'b', sourceMapHash: null, bundleSize: 1,
        functions: [
          { ...manifest, name: 'a', settings: { ...manifest.settings } },
          { ...manifest, name: 'b', settings: other },
          { ...manifest, name: 'c', settings: { ...manifest.settings } },
        ],
      };
      await store.createVersion('shop', version);
      const reads = [(await store.getVersion('shop', 1))!, (await store.listVersions('shop'))[0]!, (await store.listLive())[0]!];
      for (const read of reads) {
        assert.deepEqual(read.functions, version.functions);
        const [a, b, c] = read.functions;
        assert.equal(a!.settings, c!.settings, 'equal settings are one object');
        assert.notEqual(a!.settings, b!.settings);
      }
    });

    withStore('a version stored before the compact form reads back as stored, however it is read', async ({ store, storeAsEarlierRelease }) => {
      const created = await store.createVersion('shop', bundle(1));
      await store.createVersion('blog', bundle(2));
      await storeAsEarlierRelease('shop', 1);
      assert.deepEqual(await store.getVersion('shop', 1), created);
      assert.deepEqual(await store.listVersions('shop'), [created]);
      assert.deepEqual((await store.listLive()).map((v) => [v.app, v.functions]), [['blog', bundle(2).functions], ['shop', created.functions]]);
    });
  });
}
