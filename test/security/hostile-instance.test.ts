/**
 * A function that writes whatever it likes to its end of the host channel
 * (fd 3) fails its own instance and nothing else: the exact reproductions of
 * issue #11 (a LOG frame of garbage, `notjson` when LOG carried JSON, a frame
 * header claiming 4 GB and a flood), at the top level of a bundle during deploy and as a queue handler
 * that a restart would run again. Real node, real instance processes.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { NimbusClient } from '../../src/sdk/client/index.js';
import { admin, eventually } from '../helpers/admin-client.js';
import { startTestNode, type TestNode } from '../helpers/test-node.js';
import { queueStats } from '../server/triggers/trigger-fixtures.js';
import { RAW_FRAMES } from './raw-frames.js';

const HOSTILE = `
import { http, queue } from 'nimbus-functions';
import { frame, writeAll } from './raw-frames.js';

export const badLog = http({ route: 'GET /hostile/bad-log' }, () => {
  writeAll(frame(17, 0, Buffer.from('notjson')));
  return new Promise((resolve) => setTimeout(() => resolve('still here'), 2000));
});

export const hugeFrame = http({ route: 'GET /hostile/huge-frame', timeoutMs: 20000 }, () => {
  const header = Buffer.alloc(9);
  header.writeUInt32BE(0xfffffff0, 0);
  header.writeUInt8(17, 4);
  writeAll(header);
  const flood = Buffer.alloc(1024 * 1024, 0x41);
  let written = 0;
  // Until the host stops reading (it kills this process): at most 512 MB.
  for (let i = 0; i < 512; i++) { const n = writeAll(flood); written += n; if (n < flood.length) break; }
  return { written };
});

export const poisoned = queue({ queue: 'poisoned', batchSize: 1, maxAttempts: 2, backoff: { initialMs: 50, maxMs: 50 } }, () => {
  writeAll(frame(17, 0, Buffer.from('notjson')));
  return new Promise((resolve) => setTimeout(resolve, 2000));
});
`;

const VICTIM = `
import { http } from 'nimbus-functions';
export const ok = http({ route: 'GET /victim/ok' }, () => 'ok');
`;

async function get(node: TestNode, path: string): Promise<{ status: number; body: any }> {
  const res = await fetch(`${node.url}${path}`);
  const text = await res.text();
  return { status: res.status, body: text.startsWith('{') ? JSON.parse(text) : text };
}

describe('a hostile instance fails alone', () => {
  let node: TestNode;
  const logs: string[] = [];
  before(async () => {
    node = await startTestNode();
    node.onFunctionLog((line) => logs.push(line.message));
    for (const [app, source] of [['victim', VICTIM], ['hostile', HOSTILE]] as const) {
      const deployed = await node.deploy(app, { 'index.ts': source, 'raw-frames.js': RAW_FRAMES });
      assert.equal(deployed.status, 201, JSON.stringify(deployed.body));
    }
  });
  after(() => node.dispose());

  test('a LOG frame of garbage: 502 with the protocol code, the node serves on', async () => {
    const answer = await get(node, '/hostile/bad-log');
    assert.equal(answer.status, 502);
    assert.equal(answer.body.error.code, 'NIMBUS_ERR_FUNCTION_PROTOCOL');
    // The caller learns the kind of failure; what the instance did wrong is in the function's logs.
    assert.doesNotMatch(answer.body.error.message, /log line is malformed/);
    await eventually(() => logs.some((l) => /log line is malformed/.test(l)), 10_000, 'the violation in the function logs');
    assert.deepEqual(await get(node, '/victim/ok'), { status: 200, body: 'ok' });
    // The instance was replaced: the function answers (and fails) again the same way.
    assert.equal((await get(node, '/hostile/bad-log')).status, 502);
  });

  test('a 4 GB frame header and a flood: refused at the header, the node stays responsive', async () => {
    const before = process.memoryUsage().rss;
    const flooding = get(node, '/hostile/huge-frame');
    // The node answers health checks while the flood is being refused.
    const health = await fetch(`${node.url}/_nimbus/health`);
    assert.equal(health.status, 200);
    const answer = await flooding;
    assert.equal(answer.status, 502);
    assert.equal(answer.body.error.code, 'NIMBUS_ERR_FUNCTION_PROTOCOL');
    assert.doesNotMatch(answer.body.error.message, /byte limit/, 'the violation is in the logs, not in an anonymous caller\'s answer');
    await eventually(() => logs.some((l) => /over the .*-byte limit/.test(l)), 10_000, 'the violation in the function logs');
    assert.deepEqual(await get(node, '/victim/ok'), { status: 200, body: 'ok' });
    const grownMb = (process.memoryUsage().rss - before) / 1048576;
    assert.ok(grownMb < 200, `the node grew by ${grownMb.toFixed(0)} MiB`);
  });

  test('the same two lines at the top level of a bundle refuse the deploy, not the node', async () => {
    const deployed = await node.deploy('hostile-top', {
      'index.ts': `import { http } from 'nimbus-functions';\nimport { frame, writeAll } from './raw-frames.js';\nwriteAll(frame(17, 0, Buffer.from('notjson')));\nexport const x = http({ route: 'GET /top' }, () => 'x');\n`,
      'raw-frames.js': RAW_FRAMES,
    });
    assert.equal(deployed.status, 400);
    assert.equal(deployed.body.error.code, 'NIMBUS_ERR_DEPLOY_LOAD_FAILED');
    assert.match(deployed.body.error.message, /broke the host protocol/);
    assert.deepEqual(await get(node, '/victim/ok'), { status: 200, body: 'ok' });
  });

  test('as a queue handler: each attempt fails its instance, the message reaches the dead-letter queue', async () => {
    const client = new NimbusClient({ url: node.url, key: node.adminKey });
    await client.queue('poisoned').send({ n: 1 });
    await eventually(async () => (await queueStats(node, 'poisoned'))?.deadLettered === 1, 30_000, 'the poisoned message in the DLQ');
    const logs = await admin(node, 'GET', '/apps/hostile/logs?fn=poisoned&limit=200');
    assert.ok(JSON.stringify(logs.body).includes('broke the host protocol'), 'the failure is in the function logs');
    assert.deepEqual(await get(node, '/victim/ok'), { status: 200, body: 'ok' });
  });
});
