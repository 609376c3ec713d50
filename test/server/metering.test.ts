import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { admin, eventually } from '../helpers/admin-client.js';
import { startTestNode, type TestNode } from '../helpers/test-node.js';

const APP = `
import { http } from 'nimbus-functions';

// Spins until it has used 300 ms of CPU, however busy the machine is.
export const busy = http({ route: 'GET /busy', memoryMb: 256 }, () => {
  const start = process.cpuUsage();
  let x = 0;
  for (;;) {
    for (let i = 0; i < 10_000; i++) x += Math.sqrt(x + 1);
    const used = process.cpuUsage(start);
    if (used.user + used.system >= 300_000) break;
  }
  return { x };
});

export const sleepy = http({ route: 'GET /sleepy', memoryMb: 128 }, async () => {
  await new Promise((r) => setTimeout(r, 300));
  return 'rested';
});

export const chatty = http({ route: 'GET /chatty/:n', concurrency: 8 }, async (req, ctx) => {
  for (let i = 0; i < 5; i++) {
    console.log('line', i, 'of', ctx.params.n, 'id', ctx.invocationId);
    await new Promise((r) => setTimeout(r, 5 + Math.random() * 10));
  }
  return ctx.invocationId;
});
`;

interface RecordJson { id: string; functionName: string; durationMs: number; billedMs: number; memoryMb: number; gbSeconds: number; cpuMs: number; coldStart: boolean; outcome: string }

describe('metering, logs and metrics on a node', () => {
  let node: TestNode;
  before(async () => {
    node = await startTestNode({ warmPool: { sizePerShape: 1, initialShapes: [128, 256] } });
    const deployed = await node.deploy('meter', { 'index.ts': APP });
    assert.equal(deployed.status, 201, JSON.stringify(deployed.body));
  });
  after(() => node.dispose());

  async function records(fn: string, count: number): Promise<RecordJson[]> {
    let found: RecordJson[] = [];
    await eventually(async () => {
      found = (await admin(node, 'GET', `/invocation-records?app=meter&fn=${fn}&limit=100`)).body.records;
      return found.length >= count;
    }, 15_000, `${count} records of ${fn}`);
    return found;
  }

  test('records add up: billed ≥ duration, GB-s from memory and billed time, CPU of a busy loop vs a sleeper', async () => {
    assert.equal((await fetch(`${node.url}/busy`)).status, 200);
    assert.equal((await fetch(`${node.url}/sleepy`)).status, 200);
    const [busy] = await records('busy', 1);
    const [sleepy] = await records('sleepy', 1);
    for (const r of [busy!, sleepy!]) {
      assert.ok(r.billedMs >= r.durationMs, 'billed time is never below the duration');
      assert.equal(r.billedMs, Math.ceil(r.durationMs), 'rounded up to 1 ms');
      assert.ok(Math.abs(r.gbSeconds - (r.memoryMb / 1024) * (r.billedMs / 1000)) < 1e-9);
      assert.equal(r.outcome, 'ok');
    }
    assert.equal(busy!.memoryMb, 256);
    assert.ok(busy!.cpuMs >= 300 && busy!.cpuMs <= busy!.durationMs + 5, `the busy loop's 300 ms of CPU are measured (${busy!.cpuMs} ms in ${busy!.durationMs} ms)`);
    assert.ok(sleepy!.cpuMs < 100, `a sleeper uses next to no CPU (${sleepy!.cpuMs} ms in ${sleepy!.durationMs} ms)`);
  });

  test('a cold start is flagged only on the first invocation after scaling from zero', async () => {
    const all = await records('busy', 1);
    assert.equal(all.filter((r) => r.coldStart).length, 1);
    assert.equal((await fetch(`${node.url}/busy`)).status, 200);
    const after = await records('busy', 2);
    assert.equal(after.filter((r) => r.coldStart).length, 1, 'the second invocation ran warm');
  });

  test('logs of concurrent invocations on one instance stay with their own invocation', async () => {
    const ids = await Promise.all([1, 2, 3, 4].map(async (n) => (await fetch(`${node.url}/chatty/${n}`)).text()));
    for (const id of ids) {
      let lines: { message: string; invocationId: string }[] = [];
      await eventually(async () => {
        lines = (await admin(node, 'GET', `/apps/meter/logs?invocation=${id}`)).body.lines;
        return lines.length === 5;
      }, 10_000, `5 log lines of ${id}`);
      for (const line of lines) {
        assert.equal(line.invocationId, id);
        assert.ok(line.message.endsWith(`id ${id}`), line.message);
      }
    }
  });

  test('following logs streams new lines as server-sent events', async () => {
    const controller = new AbortController();
    const res = await fetch(`${node.url}/_nimbus/api/v1/apps/meter/logs?follow=1&fn=chatty&since=1s`, {
      headers: { authorization: `Bearer ${node.adminKey}` }, signal: controller.signal,
    });
    assert.equal(res.headers.get('content-type')?.split(';')[0], 'text/event-stream');
    const reader = res.body!.getReader();
    const id = await (await fetch(`${node.url}/chatty/tail`)).text();
    let text = '';
    while (!text.includes(`line 4 of tail id ${id}`)) {
      const { value, done } = await reader.read();
      if (done) break;
      text += Buffer.from(value).toString('utf8');
    }
    controller.abort();
    assert.match(text, new RegExp(`line 0 of tail id ${id}`));
  });

  test('/metrics is Prometheus text whose invocation counters match what ran', async () => {
    const unauthorized = await fetch(`${node.url}/metrics`);
    assert.equal(unauthorized.status, 401, 'metrics are protected like the admin API');
    const res = await fetch(`${node.url}/metrics`, { headers: { authorization: `Bearer ${node.adminKey}` } });
    const text = await res.text();
    const sample = (fn: string) => {
      const line = text.split('\n').find((l) => l.startsWith('nimbus_invocations_total{') && l.includes(`function="${fn}"`) && l.includes('outcome="ok"'));
      return line ? Number(line.split(' ').pop()) : 0;
    };
    assert.equal(sample('busy'), 2);
    assert.equal(sample('sleepy'), 1);
    for (const line of text.split('\n')) {
      if (line === '' || line.startsWith('#')) continue;
      assert.match(line, /^[a-zA-Z_:][a-zA-Z0-9_:]*(\{.*\})? -?[0-9.e+-]+|NaN|[+-]Inf$/, line);
    }
  });

  test('usage adds up invocations, GB-s and cost per function', async () => {
    const { status, body } = await admin(node, 'GET', '/usage?app=meter&since=1h&by=function');
    assert.equal(status, 200, JSON.stringify(body));
    const busy = body.rows.find((r: { key: string }) => r.key.includes('busy'));
    assert.equal(busy.invocations, 2);
    assert.ok(busy.gbSeconds > 0 && busy.cost > 0);
  });
});
