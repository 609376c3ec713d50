import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { eventually, instanceCount } from '../helpers/admin-client.js';
import { startTestNode, type TestNode } from '../helpers/test-node.js';

const APP = `
import { http } from 'nimbus-functions';

export const capped = http(
  { route: 'GET /capped', maxInstances: 2, concurrency: 1, queueLimit: 3, queueTimeoutMs: 20_000 },
  async () => { await new Promise((r) => setTimeout(r, 1_500)); return { pid: process.pid }; },
);

export const idle = http({ route: 'GET /idle', idleTimeoutMs: 200 }, () => ({ pid: process.pid }));

export const kept = http({ route: 'GET /kept', minInstances: 1, idleTimeoutMs: 100 }, () => ({ pid: process.pid }));
`;

describe('scaling', () => {
  let node: TestNode;
  before(async () => {
    node = await startTestNode();
    const deployed = await node.deploy('scale', { 'index.ts': APP });
    assert.equal(deployed.status, 201, JSON.stringify(deployed.body));
  });
  after(() => node.dispose());

  test('maxInstances caps instances; overflow waits in a bounded queue, then gets 429 with Retry-After', async () => {
    let maxSeen = 0;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        maxSeen = Math.max(maxSeen, await instanceCount(node, 'scale', 'capped'));
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    const responses = await Promise.all(Array.from({ length: 10 }, () => fetch(`${node.url}/capped`)));
    sampling = false;
    await sampler;
    const ok = responses.filter((r) => r.status === 200);
    const throttled = responses.filter((r) => r.status === 429);
    assert.equal(ok.length + throttled.length, 10, `statuses: ${responses.map((r) => r.status).join(',')}`);
    assert.ok(maxSeen <= 2, `saw ${maxSeen} instances`);
    assert.ok(maxSeen >= 1);
    // 2 run at once and 3 more wait for them: work beyond the instances was queued, not refused.
    assert.ok(ok.length >= 3, `${ok.length} succeeded`);
    assert.ok(throttled.length >= 1, 'the overflow beyond the queue was refused');
    for (const r of throttled) {
      assert.ok(Number(r.headers.get('retry-after')) >= 1);
      assert.equal((await r.json() as { error: { code: string } }).error.code, 'NIMBUS_ERR_FUNCTION_THROTTLED');
    }
    const pids = new Set(await Promise.all(ok.map(async (r) => (await r.json() as { pid: number }).pid)));
    assert.ok(pids.size <= 2, 'at most two processes served');
  });

  test('an idle function scales to zero after idleTimeoutMs', async () => {
    assert.equal((await fetch(`${node.url}/idle`)).status, 200);
    await eventually(async () => (await instanceCount(node, 'scale', 'idle')) === 0, 10_000, 'scale to zero');
    const again = await fetch(`${node.url}/idle`);
    assert.equal(again.status, 200, 'a scaled-to-zero function starts again on demand');
  });

  test('minInstances keeps an instance running while idle', async () => {
    await eventually(async () => (await instanceCount(node, 'scale', 'kept')) === 1, 10_000, 'the minimum instance');
    const { pid } = await (await fetch(`${node.url}/kept`)).json() as { pid: number };
    await new Promise((r) => setTimeout(r, 600));
    assert.equal(await instanceCount(node, 'scale', 'kept'), 1);
    const later = await (await fetch(`${node.url}/kept`)).json() as { pid: number };
    assert.equal(later.pid, pid, 'the same instance stayed up');
  });
});
