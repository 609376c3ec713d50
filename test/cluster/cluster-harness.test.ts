import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startCluster } from '../helpers/cluster.js';

// The harness itself, on SQLite (each node alone): the multi-node tests run it with a shared --store postgres://….
test('the cluster harness starts real node processes, kills and restarts them', async (t) => {
  const cluster = await startCluster({ nodes: 2 });
  t.after(() => cluster.close());
  const [one, two] = cluster.urls();
  assert.notEqual(one, two);
  for (const url of cluster.urls()) {
    const answer = await fetch(`${url}/_nimbus/api/v1/nodes`, { headers: { authorization: `Bearer ${cluster.adminKey}` } });
    assert.equal(answer.status, 200);
    assert.equal(((await answer.json()) as { nodes: unknown[] }).nodes.length, 1);
  }
  assert.equal(await cluster.kill(1), null, 'SIGKILL: no exit code');
  const again = await cluster.restart(1);
  assert.equal((await fetch(`${again}/_nimbus/ready`)).status, 200);
});
