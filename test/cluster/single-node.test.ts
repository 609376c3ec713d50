import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { admin, eventually } from '../helpers/admin-client.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { startTestNode, type TestNode } from '../helpers/test-node.js';
import { lines, runNimbus } from '../cli/support/run-cli.js';

async function ready(node: TestNode): Promise<{ status: number; body: { ready: boolean; reason?: string } }> {
  const response = await fetch(`${node.url}/_nimbus/ready`);
  return { status: response.status, body: await response.json() as { ready: boolean; reason?: string } };
}

test('on the SQLite store the cluster is this node: GET /nodes lists it alive, with its address and load', async (t) => {
  const node = await startTestNode({ address: 'http://nimbus-1.internal:8080' });
  t.after(() => node.dispose());

  const { status, body } = await admin(node, 'GET', '/nodes');
  assert.equal(status, 200);
  assert.equal(body.nodes.length, 1);
  const [self] = body.nodes;
  const { body: info } = await admin(node, 'GET', '/node');
  assert.equal(self.id, info.nodeId);
  assert.equal(self.address, 'http://nimbus-1.internal:8080');
  assert.equal(self.state, 'alive');
  assert.match(self.version, /^\d+\.\d+\.\d+/);
  assert.equal(typeof self.instances, 'number');
  assert.equal(self.load, 0);
  assert.ok(self.startedAt <= self.lastHeartbeat);
});

test('nimbus nodes prints the table, and --json the API answer', async (t) => {
  const node = await startTestNode();
  const cwd = makeTempDir('nimbus-nodes-cli-');
  t.after(async () => {
    await node.dispose();
    cwd.remove();
  });
  const env = { NIMBUS_URL: node.url, NIMBUS_ADMIN_KEY: node.adminKey };

  const table = await runNimbus(['nodes'], { cwd: cwd.dir, env });
  assert.equal(table.code, 0, table.stderr);
  const [header, row, ...rest] = lines(table.stdout);
  assert.match(header!, /^NODE\s+ADDRESS\s+VERSION\s+STATE\s+UP SINCE\s+HEARTBEAT\s+INSTANCES\s+LOAD$/);
  assert.match(row!, new RegExp(`^node-\\S+\\s+${node.url.replace(/[.]/g, '\\.')}\\s+\\S+\\s+alive\\s+\\d{4}-\\d\\d-\\d\\dT\\S+Z\\s+0ms ago\\s+\\d+\\s+0$`));
  assert.deepEqual(rest, []);

  const json = await runNimbus(['nodes', '--json'], { cwd: cwd.dir, env });
  assert.equal(json.code, 0, json.stderr);
  const parsed = JSON.parse(json.stdout) as { nodes: { address: string; state: string }[] };
  assert.deepEqual(parsed.nodes.map((n) => [n.address, n.state]), [[node.url, 'alive']]);
});

test('/_nimbus/ready answers 200 while the store is usable and 503 with the reason once it is lost; /_nimbus/health keeps its meaning', async (t) => {
  const temp = makeTempDir('nimbus-ready-');
  const dataDir = `${temp.dir}/data`;
  const node = await startTestNode({ dataDir });
  t.after(async () => {
    await node.close().catch(() => undefined);
    temp.remove();
  });
  assert.deepEqual(await ready(node), { status: 200, body: { ready: true } });

  rmSync(dataDir, { recursive: true, force: true });
  await eventually(async () => (await ready(node)).status === 503, 10_000, 'readiness to turn 503');
  const lost = await ready(node);
  assert.equal(lost.body.ready, false);
  assert.match(lost.body.reason ?? '', /^storage: /);
  const health = await fetch(`${node.url}/_nimbus/health`);
  assert.equal(health.status, 503);
});

test('a bad --store or --blobs stops nimbus start with one line naming the flag, and no password', async (t) => {
  const cwd = makeTempDir('nimbus-bad-store-');
  t.after(() => cwd.remove());
  const store = await runNimbus(['start', '--port', '0', '--store', 'mysql://root:hunter2@db/nimbus'], { cwd: cwd.dir });
  assert.equal(store.code, 1);
  assert.deepEqual(lines(store.stderr), ['nimbus: --store: unknown store "mysql:" (use postgres://…, sqlite: or a folder)']);

  const blobs = await runNimbus(['start', '--port', '0'], { cwd: cwd.dir, env: { NIMBUS_BLOBS: 's3://?endpoint=x' } });
  assert.equal(blobs.code, 1);
  assert.match(blobs.stderr, /^nimbus: --blobs: /);
  assert.equal(lines(blobs.stderr).length, 1);

  const unreachable = await runNimbus(['start', '--port', '0', '--store', 'postgres://nimbus:hunter2@127.0.0.1:1/nimbus'], { cwd: cwd.dir });
  assert.equal(unreachable.code, 1);
  assert.match(unreachable.stderr, /^nimbus: --store: cannot use PostgreSQL at postgres:\/\/nimbus:\*\*\*@127\.0\.0\.1:1\/nimbus: /);
  assert.doesNotMatch(unreachable.stderr + unreachable.stdout, /hunter2/);
});
