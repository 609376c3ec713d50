import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { admin, eventually } from '../helpers/admin-client.js';
import { startTestNode, type TestNode } from '../helpers/test-node.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { openDatabase } from '../../src/store/sqlite/sqlite-database.js';

const version = (answer: string, delayMs = 0) => `
import { http } from 'nimbus-functions';
export const which = http({ route: 'GET /which' }, async () => {
  await new Promise((r) => setTimeout(r, ${delayMs}));
  return '${answer}';
});
`;

describe('deployments', () => {
  let node: TestNode;
  before(async () => {
    node = await startTestNode();
    assert.equal((await node.deploy('owner', { 'index.ts': `import { http } from 'nimbus-functions';\nexport const taken = http({ route: 'GET /taken/:id' }, () => 'mine');` })).status, 201);
  });
  after(() => node.dispose());

  const which = async () => (await fetch(`${node.url}/which`)).text();

  test('each deploy is a numbered version; in-flight requests finish on the version they started on', async () => {
    const v1 = await node.deploy('flip', { 'index.ts': version('one', 1_500) });
    assert.equal(v1.body.version, 1);
    const inFlight = fetch(`${node.url}/which`).then((r) => r.text());
    await until(node, 'flip', 'inflight', 1);
    const v2 = await node.deploy('flip', { 'index.ts': version('two') });
    assert.equal(v2.body.version, 2);
    assert.equal(await which(), 'two', 'new requests run the new version');
    assert.equal(await inFlight, 'one', 'the request already running finished on v1');
  });

  test('requests still waiting for an instance when a new version goes live are served by it, not failed', async () => {
    const slow = (answer: string, delayMs: number) => `
import { http } from 'nimbus-functions';
export const lane = http({ route: 'GET /lane', maxInstances: 1, concurrency: 1 }, async () => {
  await new Promise((r) => setTimeout(r, ${delayMs}));
  return '${answer}';
});
`;
    assert.equal((await node.deploy('lane', { 'index.ts': slow('one', 4_000) })).status, 201);
    const ask = () => fetch(`${node.url}/lane`).then(async (r) => `${r.status} ${await r.text()}`);
    const running = ask();
    await until(node, 'lane', 'inflight', 1);
    const queued = [ask(), ask()];
    await until(node, 'lane', 'waiting', 2);
    assert.equal((await node.deploy('lane', { 'index.ts': slow('two', 0) })).status, 201);
    assert.deepEqual(await Promise.all(queued), ['200 two', '200 two']);
    assert.equal(await running, '200 one', 'the request already running finished on v1');
  });

  test('rollback moves the live version back, or to a chosen one; versions lists them', async () => {
    const back = await admin(node, 'POST', '/apps/flip/rollback', {});
    assert.deepEqual({ live: back.body.liveVersion, previous: back.body.previousVersion }, { live: 1, previous: 2 });
    assert.equal(await which(), 'one');
    const forward = await admin(node, 'POST', '/apps/flip/rollback', { to: 2 });
    assert.equal(forward.body.liveVersion, 2);
    assert.equal(await which(), 'two');
    const versions = await admin(node, 'GET', '/apps/flip/versions');
    assert.deepEqual(versions.body.versions.map((v: { version: number; live: boolean }) => [v.version, v.live]), [[1, false], [2, true]]);
    const missing = await admin(node, 'POST', '/apps/flip/rollback', { to: 9 });
    assert.equal(missing.status, 404);
  });

  test('redeploying the live code makes no new version; an older version\'s code again is a new version sharing its stored bundle', async () => {
    const { bundleFiles } = await import('../helpers/bundle.js');
    const { makeTempDir } = await import('../helpers/temp-dir.js');
    const dir = makeTempDir();
    const same = await bundleFiles(dir.dir, { 'index.ts': `import { http } from 'nimbus-functions';\nexport const s = http({}, () => 'same');` });
    const other = await bundleFiles(dir.dir, { 'index.ts': `import { http } from 'nimbus-functions';\nexport const s = http({}, () => 'other');` });
    dir.remove();
    const a = await admin(node, 'POST', '/apps/same/versions', { bundle: same.bundle });
    assert.equal(a.status, 201);
    const again = await admin(node, 'POST', '/apps/same/versions', { bundle: same.bundle });
    assert.equal(again.status, 200);
    assert.deepEqual({ version: again.body.version, unchanged: again.body.unchanged }, { version: a.body.version, unchanged: true });
    assert.equal((await admin(node, 'GET', '/apps/same/versions')).body.versions.length, 1, 'no new version');

    await admin(node, 'POST', '/apps/same/versions', { bundle: other.bundle });
    const back = await admin(node, 'POST', '/apps/same/versions', { bundle: same.bundle });
    assert.equal(back.status, 201);
    assert.equal(back.body.version, a.body.version + 2);
    const versions = (await admin(node, 'GET', '/apps/same/versions')).body.versions as { version: number; bundleHash: string }[];
    const hashOf = (v: number): string | undefined => versions.find((x) => x.version === v)?.bundleHash;
    assert.equal(hashOf(back.body.version), hashOf(a.body.version));
  });

  const bad: [string, Record<string, string> | { bundle: string }, number, RegExp][] = [
    ['a module that throws at load', { 'index.ts': `throw new Error('boom at load');\nexport {};` }, 400, /NIMBUS_ERR_DEPLOY_LOAD_FAILED[\s\S]*boom at load/],
    ['invalid JavaScript', { bundle: 'export const = ;' }, 400, /NIMBUS_ERR_DEPLOY_LOAD_FAILED/],
    ['no functions', { 'index.ts': `export const notAFunction = 42;` }, 400, /NIMBUS_ERR_DEPLOY_NO_FUNCTIONS/],
    ['an invalid route', { 'index.ts': `import { http } from 'nimbus-functions';\nexport const f = http({ route: 'GET no-slash' }, () => 'x');` }, 400, /NIMBUS_ERR_DEPLOY_INVALID_DEFINITION[\s\S]*f\.route/],
    ['an invalid setting', { 'index.ts': `import { http } from 'nimbus-functions';\nexport const f = http({ memoryMb: 5 }, () => 'x');` }, 400, /f\.memoryMb/],
    ['a duration past its bound (it would overflow a timer)', { 'index.ts': `import { http } from 'nimbus-functions';\nexport const f = http({ queueTimeoutMs: 1e12 }, () => 'x');` }, 400, /f\.queueTimeoutMs/],
    ['an idle timeout past its bound', { 'index.ts': `import { queue } from 'nimbus-functions';\nexport const f = queue({ queue: 'q', idleTimeoutMs: 1e12 }, () => {});` }, 400, /f\.idleTimeoutMs/],
    ['a queue trigger setting past its bound', { 'index.ts': `import { queue } from 'nimbus-functions';\nexport const f = queue({ queue: 'q', visibilityTimeoutMs: 1e12 }, () => {});` }, 400, /f\.visibilityTimeoutMs/],
    ['an export name that cannot name a function', { 'index.ts': `import { http } from 'nimbus-functions';\nconst f = http({}, () => 'x');\nexport { f as "a/b c" };` }, 400, /function names are JavaScript identifiers/],
    ['a route owned by another app', { 'index.ts': `import { http } from 'nimbus-functions';\nexport const g = http({ route: 'GET /taken/:other' }, () => 'x');` }, 409, /NIMBUS_ERR_DEPLOY_ROUTE_CONFLICT[\s\S]*owner/],
  ];
  for (const [what, files, status, message] of bad) {
    test(`a bad deploy (${what}) gets ${status} and changes nothing, on disk either`, async () => {
      const before = (await admin(node, 'GET', '/apps/flip')).body.app.liveVersion;
      const stored = bundleFiles(node);
      const res = 'bundle' in files ? await admin(node, 'POST', '/apps/flip/versions', files) : await node.deploy('flip', files);
      assert.equal(res.status, status, JSON.stringify(res.body));
      assert.match(JSON.stringify(res.body), message);
      assert.equal((await admin(node, 'GET', '/apps/flip')).body.app.liveVersion, before);
      assert.equal(await which(), 'two', 'the live version still serves');
      assert.deepEqual(bundleFiles(node), stored, 'the refused bundle was not kept');
    });
  }

  test('the largest settings deploy and still work: async calls run (their queue consumer is derived from the settings and checked at deploy)', async () => {
    // Once, 200 × 8 instances' worth of consumer concurrency and a 15 + 15 minute lease failed only after the version was live.
    const deployed = await node.deploy('roomy', { 'index.ts': `import { http } from 'nimbus-functions';
export const big = http({ route: 'POST /roomy', maxInstances: 1000, concurrency: 1000, timeoutMs: 900_000, queueTimeoutMs: 900_000, idleTimeoutMs: 86_400_000 }, () => 'done');` });
    assert.equal(deployed.status, 201, JSON.stringify(deployed.body));
    const res = await fetch(`${node.url}/roomy`, { method: 'POST', headers: { 'x-nimbus-async': '1' }, body: 'x' });
    assert.equal(res.status, 202);
    const { invocationId } = await res.json() as { invocationId: string };
    await eventually(async () => (await admin(node, 'GET', `/invocations/${invocationId}`)).body?.state === 'succeeded', 15_000, 'the async call to run');
  });

  test('an oversized bundle gets 413 and an invalid app name 400', async () => {
    const big = await admin(node, 'POST', '/apps/flip/versions', { bundle: 'x'.repeat(51 * 1024 * 1024) });
    assert.equal(big.status, 413);
    const name = await admin(node, 'POST', '/apps/Not_Valid/versions', { bundle: 'export {}' });
    assert.equal(name.status, 400);
    assert.equal(name.body.error.code, 'NIMBUS_ERR_DEPLOY_INVALID_NAME');
  });

  test('rollback refuses a body of the wrong type, naming the problem', async () => {
    for (const body of [[], 'x', null, 5, { to: 'one' }, { to: 1.5 }, { to: 0 }, { to: 1, extra: true }]) {
      const res = await admin(node, 'POST', '/apps/flip/rollback', body);
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.equal(res.body.error.code, 'NIMBUS_ERR_BODY_INVALID');
      assert.match(res.body.error.message, /body|to/);
    }
    assert.equal(await which(), 'two', 'nothing rolled back');
  });

  test('removing an app frees its routes and its bundles', async () => {
    const { bundleHash } = (await admin(node, 'GET', '/apps/owner/versions')).body.versions[0];
    assert.ok(bundleFiles(node).includes(`${bundleHash}.mjs`));
    assert.equal((await admin(node, 'DELETE', '/apps/owner')).status, 200);
    assert.ok(!bundleFiles(node).includes(`${bundleHash}.mjs`), 'the removed app\'s bundle was swept');
    assert.equal((await fetch(`${node.url}/taken/1`)).status, 404);
    assert.equal((await admin(node, 'GET', '/apps/owner')).status, 404);
  });
});

test('a live route this node cannot parse (a node with other rules deployed it) is not served, and fails neither the start nor other deploys', async () => {
  const data = makeTempDir('nimbus-skew-');
  try {
    const first = await startTestNode({ dataDir: data.dir });
    await first.deploy('skew', { 'index.ts': `import { http } from 'nimbus-functions';\nexport const bad = http({ route: 'GET /skew/:id' }, () => 'bad');\nexport const good = http({ route: 'GET /fine' }, () => 'fine');` });
    await first.dispose();
    // What another node's rules let through and this node's refuse: a parameter named twice.
    const db = openDatabase(join(data.dir, 'state.sqlite'));
    db.prepare(`UPDATE app_versions SET manifests = replace(manifests, 'GET /skew/:id', 'GET /skew/:a/:a') WHERE app = 'skew'`).run();
    db.close();

    const node = await startTestNode({ dataDir: data.dir });
    try {
      assert.equal(await (await fetch(`${node.url}/fine`)).text(), 'fine', 'the app\'s other routes are served');
      assert.equal((await fetch(`${node.url}/skew/1/2`)).status, 404);
      const other = await node.deploy('other', { 'index.ts': `import { http } from 'nimbus-functions';\nexport const mine = http({ route: 'GET /skew/:x/:y' }, () => 'mine');` });
      assert.equal(other.status, 201, 'no conflict with a route that is not served');
      assert.equal(await (await fetch(`${node.url}/skew/1/2`)).text(), 'mine');
    } finally {
      await node.dispose();
    }
  } finally {
    data.remove();
  }
});

function bundleFiles(node: TestNode): string[] {
  return readdirSync(join(node.dataDir, 'bundles')).sort();
}

async function dispatcherCounts(node: TestNode, app: string): Promise<{ inflight: number; waiting: number }> {
  const listing = await admin(node, 'GET', '/apps');
  const functions = (listing.body.apps as { name: string; functions: { inflight: number; waiting: number }[] }[]).find((a) => a.name === app)?.functions ?? [];
  return { inflight: functions.reduce((n, f) => n + f.inflight, 0), waiting: functions.reduce((n, f) => n + f.waiting, 0) };
}

async function until(node: TestNode, app: string, what: 'inflight' | 'waiting', count: number): Promise<void> {
  for (let i = 0; i < 500 && (await dispatcherCounts(node, app))[what] < count; i++) await new Promise((r) => setTimeout(r, 10));
  assert.equal((await dispatcherCounts(node, app))[what], count, `${what} reached ${count}`);
}
