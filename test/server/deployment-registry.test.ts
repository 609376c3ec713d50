import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { LocalBundleStore } from '../../src/blobs/bundles/bundle-store.js';
import type { DescribedFunction } from '../../src/runtime/instance/protocol.js';
import { DeploymentRegistry } from '../../src/server/deployments.js';
import { systemClock } from '../../src/shared/clock.js';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import type { Store } from '../../src/store/store.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const ONE_FUNCTION: DescribedFunction[] = [{ name: 'hello', kind: 'http', settings: {} }];
const SOURCE_MAP = JSON.stringify({ version: 3, sources: ['index.ts'], names: [], mappings: '' });

/**
 * The registry with a real store and bundle folder; what the bundle exports is
 * decided by `describe` (no sandbox): the bundle's text names what it describes.
 */
function setUp(dataDir: string, describe?: (bundlePath: string) => Promise<DescribedFunction[]>) {
  const store = openSqliteStore(dataDir, systemClock);
  const bundles = new LocalBundleStore(join(dataDir, 'bundles'));
  const errors: unknown[] = [];
  const registry = new DeploymentRegistry({
    store, bundles,
    describe: async (_app, bundlePath) => (describe ? describe(bundlePath) : bundleDescribes(bundlePath)),
    onError: (err) => errors.push(err),
  });
  return { store, bundles, registry, errors, files: () => readdirSync(bundles.dir).sort() };
}

/** `export {}` describes nothing; anything else one HTTP function. */
async function bundleDescribes(bundlePath: string): Promise<DescribedFunction[]> {
  const { readFile } = await import('node:fs/promises');
  return (await readFile(bundlePath, 'utf8')).startsWith('export {}') ? [] : ONE_FUNCTION;
}

describe('bundle files follow the versions that use them', () => {
  let data: ReturnType<typeof makeTempDir>;
  let store: Store | undefined;
  beforeEach(() => { data = makeTempDir('nimbus-bundles-'); });
  afterEach(async () => {
    await store?.close();
    store = undefined;
    data.remove();
  });

  test('a refused deploy removes the bundle and source map it stored', async () => {
    const s = setUp(data.dir);
    store = s.store;
    await s.registry.deploy('shop', { bundle: 'export const a = 1; // v1', sourceMap: SOURCE_MAP });
    const kept = s.files();
    assert.equal(kept.length, 2, 'the live version has its bundle and map');
    await assert.rejects(s.registry.deploy('shop', { bundle: `export {}; // ${'x'.repeat(1024 * 1024)}`, sourceMap: SOURCE_MAP.replace('index', 'other') }), {
      code: 'NIMBUS_ERR_DEPLOY_NO_FUNCTIONS',
    });
    assert.deepEqual(s.files(), kept, 'nothing of the refused deploy stayed');
  });

  test('a refused deploy keeps files another version references (content-addressed: the same bytes)', async () => {
    let exports = ONE_FUNCTION;
    const s = setUp(data.dir, async () => exports);
    store = s.store;
    await s.registry.deploy('shop', { bundle: 'export const a = 1;', sourceMap: SOURCE_MAP });
    await s.registry.deploy('shop', { bundle: 'export const b = 2;' });
    const kept = s.files();
    exports = [{ name: 'bad', kind: 'http', settings: { queueTimeoutMs: 1e12 } }];
    // v1's bytes again (v2 is live, so this is a new version, not "unchanged"), refused.
    await assert.rejects(s.registry.deploy('shop', { bundle: 'export const a = 1;', sourceMap: SOURCE_MAP }), { code: 'NIMBUS_ERR_DEPLOY_INVALID_DEFINITION' });
    assert.deepEqual(s.files(), kept);
    assert.equal(s.registry.liveVersion('shop'), 2);
  });

  test('removing an app sweeps its bundles and keeps those another app still uses', async () => {
    const s = setUp(data.dir);
    store = s.store;
    await s.registry.deploy('shop', { bundle: 'export const shared = 1;' });
    await s.registry.deploy('shop', { bundle: 'export const onlyShop = 1;', sourceMap: SOURCE_MAP });
    await s.registry.deploy('blog', { bundle: 'export const shared = 1;' });
    assert.equal(s.files().length, 3);
    await s.registry.remove('shop');
    const [blog] = await s.registry.versions('blog');
    assert.deepEqual(s.files(), [`${blog!.bundleHash}.mjs`]);
    assert.deepEqual(s.errors, []);
  });

  test('at start, files no version references (a crash mid-deploy, an interrupted write) are swept', async () => {
    const first = setUp(data.dir);
    await first.registry.deploy('shop', { bundle: 'export const a = 1;', sourceMap: SOURCE_MAP });
    const kept = first.files();
    await first.store.close();
    const orphan = `${'ab'.repeat(32)}.mjs`;
    mkdirSync(join(data.dir, 'bundles'), { recursive: true });
    writeFileSync(join(data.dir, 'bundles', orphan), 'export const stored = "but never recorded";');
    writeFileSync(join(data.dir, 'bundles', `${'cd'.repeat(32)}.mjs.map`), '{}');
    writeFileSync(join(data.dir, 'bundles', '.tmp-1234'), 'half a write');
    writeFileSync(join(data.dir, 'bundles', 'README'), 'not ours: left alone');

    const again = setUp(data.dir);
    store = again.store;
    await again.registry.load();
    assert.deepEqual(again.files(), [...kept, 'README'].sort());
    assert.equal(again.registry.liveVersion('shop'), 1);
  });

  test('a sweep waits for a deploy in flight and never takes its bundle', async () => {
    let openGate!: () => void;
    const gate = new Promise<void>((resolve) => { openGate = resolve; });
    let describing!: () => void;
    const describeStarted = new Promise<void>((resolve) => { describing = resolve; });
    const s = setUp(data.dir, async () => {
      describing();
      await gate;
      return ONE_FUNCTION;
    });
    store = s.store;
    const deployed = s.registry.deploy('shop', { bundle: 'export const slow = 1;' });
    await describeStarted;
    let swept = false;
    const sweep = s.registry.sweepBundles().then((removed) => { swept = true; return removed; });
    for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
    assert.equal(swept, false, 'the sweep waits for the deploy');
    assert.equal(s.files().length, 1, 'the bundle being deployed is on disk');
    openGate();
    const version = await deployed;
    assert.deepEqual(await sweep, []);
    assert.deepEqual(s.files(), [`${version.bundleHash}.mjs`]);
  });
});

describe('deployment changes', () => {
  test('a listener that throws is reported; the others still hear the change and the version is live', async () => {
    const data = makeTempDir('nimbus-registry-');
    const s = setUp(data.dir);
    try {
      const heard: string[] = [];
      s.registry.onChange(() => { throw new Error('a trigger could not follow'); });
      s.registry.onChange((change) => heard.push(`${change.kind} ${change.app}`));
      const version = await s.registry.deploy('shop', { bundle: 'export const a = 1;' });
      assert.equal(s.registry.liveVersion('shop'), version.version);
      assert.deepEqual(heard, ['live shop']);
      assert.match(String(s.errors[0]), /a trigger could not follow/);
    } finally {
      await s.store.close();
      data.remove();
    }
  });

  test('what the sandbox describes is untrusted: not a list, unnamed or duplicated functions are refused and nothing is kept', async () => {
    const data = makeTempDir('nimbus-registry-');
    let described: unknown = null;
    const s = setUp(data.dir, async () => described as DescribedFunction[]);
    try {
      const cases: [unknown, string, RegExp][] = [
        [null, 'NIMBUS_ERR_DEPLOY_NO_FUNCTIONS', /export at least one/],
        [{ name: 'a' }, 'NIMBUS_ERR_DEPLOY_NO_FUNCTIONS', /export at least one/],
        [[null], 'NIMBUS_ERR_DEPLOY_INVALID_DEFINITION', /function names are JavaScript identifiers/],
        [[{ name: 5, kind: 'http', settings: {} }], 'NIMBUS_ERR_DEPLOY_INVALID_DEFINITION', /function names/],
        [[{ name: 'a', kind: 'http', settings: {} }, { name: 'a', kind: 'http', settings: {} }], 'NIMBUS_ERR_DEPLOY_INVALID_DEFINITION', /a: exported twice/],
        [[{ name: 'a', kind: { toString: 1 }, settings: {} }], 'NIMBUS_ERR_DEPLOY_INVALID_DEFINITION', /unknown trigger kind/],
        [Array.from({ length: 1001 }, (_, i) => ({ name: `f${i}`, kind: 'http', settings: {} })), 'NIMBUS_ERR_DEPLOY_INVALID_DEFINITION', /at most 1000 functions/],
      ];
      for (const [value, code, message] of cases) {
        described = value;
        await assert.rejects(s.registry.deploy('shop', { bundle: `export const v = ${JSON.stringify(JSON.stringify(value)).slice(0, 50)};` }), (err: { code: string; message: string }) => {
          assert.equal(err.code, code, JSON.stringify(value)?.slice(0, 80));
          assert.match(err.message, message);
          return true;
        });
      }
      assert.deepEqual(readdirSync(s.bundles.dir), []);
      assert.equal(s.registry.liveVersion('shop'), undefined);
    } finally {
      await s.store.close();
      data.remove();
    }
  });
});
