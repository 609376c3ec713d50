import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { LocalBundleStore } from '../../src/blobs/bundles/bundle-store.js';
import { DeploymentRegistry, type DeploymentChange } from '../../src/server/deployments.js';
import { systemClock } from '../../src/shared/clock.js';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import type { Store } from '../../src/store/store.js';
import { makeTempDir } from '../helpers/temp-dir.js';

/**
 * Two registries on one store stand for two nodes of a cluster: what one
 * deploys, rolls back or removes, the other follows when told (reload) or
 * when it catches up (resync), through the same change events as a local deploy.
 */
function node(dataDir: string) {
  const store = openSqliteStore(dataDir, systemClock);
  const announced: string[] = [];
  const changes: DeploymentChange[] = [];
  const prepared: string[] = [];
  const registry = new DeploymentRegistry({
    store, bundles: new LocalBundleStore(join(dataDir, 'bundles')),
    describe: async () => [{ name: 'hello', kind: 'http', settings: {} }],
    announce: (app) => announced.push(app),
    prepare: async (v) => { prepared.push(`${v.app}@${v.version}`); },
    onError: (err) => { throw err; },
  });
  registry.onChange((c) => changes.push(c));
  return { store, registry, announced, changes, prepared };
}

describe('a node follows changes another node made in the shared store', () => {
  let data: ReturnType<typeof makeTempDir>;
  const stores: Store[] = [];
  beforeEach(() => { data = makeTempDir('nimbus-follow-'); });
  afterEach(async () => {
    for (const s of stores.splice(0)) await s.close();
    data.remove();
  });

  function twoNodes() {
    const a = node(data.dir);
    const b = node(data.dir);
    stores.push(a.store, b.store);
    return { a, b };
  }

  test('deploy, rollback and removal are announced where they are made, and followed by reload elsewhere', async () => {
    const { a, b } = twoNodes();
    await a.registry.deploy('shop', { bundle: 'export const v = 1;' });
    await a.registry.deploy('shop', { bundle: 'export const v = 2;' });
    assert.deepEqual(a.announced, ['shop', 'shop']);

    await b.registry.reload('shop');
    assert.equal(b.registry.liveVersion('shop'), 2);
    assert.deepEqual(b.prepared, ['shop@2'], 'instances are prepared before the version goes live, as for a local deploy');
    assert.deepEqual(b.changes.map((c) => c.kind === 'live' ? [c.kind, c.version.version, c.previous] : [c.kind]), [['live', 2, null]]);
    assert.deepEqual(b.announced, [], 'following is not announced again');

    await a.registry.rollback('shop');
    await b.registry.reload('shop');
    assert.equal(b.registry.liveVersion('shop'), 1);

    await b.registry.reload('shop');
    assert.equal(b.changes.length, 2, 'a notice for what is already live changes nothing');

    await a.registry.remove('shop');
    await b.registry.reload('shop');
    assert.equal(b.registry.liveVersion('shop'), undefined);
    assert.deepEqual(b.changes.at(-1), { kind: 'removed', app: 'shop' });
    assert.deepEqual(a.announced, ['shop', 'shop', 'shop', 'shop']);
  });

  test('an unchanged redeploy announces nothing', async () => {
    const { a } = twoNodes();
    await a.registry.deploy('shop', { bundle: 'export const v = 1;' });
    await a.registry.deploy('shop', { bundle: 'export const v = 1;' });
    assert.deepEqual(a.announced, ['shop']);
  });

  test('resync catches up with every change missed: new apps, new versions, removed apps', async () => {
    const { a, b } = twoNodes();
    await a.registry.deploy('old', { bundle: 'export const v = "old";' });
    await a.registry.deploy('shop', { bundle: 'export const v = 1;' });
    await b.registry.load();
    assert.deepEqual(b.registry.live().map((v) => v.app).sort(), ['old', 'shop']);

    await a.registry.remove('old');
    await a.registry.deploy('shop', { bundle: 'export const v = 2;' });
    await a.registry.deploy('blog', { bundle: 'export const v = "blog";' });
    await b.registry.resync();

    assert.deepEqual(b.registry.live().map((v) => `${v.app}@${v.version}`).sort(), ['blog@1', 'shop@2']);
    assert.deepEqual(b.changes.map((c) => `${c.kind} ${c.app}`).sort(), ['live blog', 'live shop', 'removed old']);
  });
});
