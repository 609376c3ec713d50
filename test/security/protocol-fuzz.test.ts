/**
 * Thousands of random and mutated frames, written by real instance processes
 * straight to their host channel, while another function keeps being called:
 * every fuzzing invocation ends (its own answer, a 502 or a 504), the other
 * function answers every time, and the node's memory does not run away.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestNode, type TestNode } from '../helpers/test-node.js';
import { RAW_FRAMES } from './raw-frames.js';

const FUZZER = `
import { http } from 'nimbus-functions';
import { frame, writeAll } from './raw-frames.js';

function prng(seed) {
  let a = seed >>> 0;
  return () => { a = (a + 0x6D2B79F5) >>> 0; let t = a; t = Math.imul(t ^ (t >>> 15), t | 1); t ^= t + Math.imul(t ^ (t >>> 7), t | 61); return ((t ^ (t >>> 14)) >>> 0) / 4294967296; };
}

const json = (v) => Buffer.from(JSON.stringify(v));
const deep = (n) => Buffer.from('['.repeat(n) + ']'.repeat(n));
const fullResponse = (head, body) => { const h = json(head); const b = Buffer.alloc(4 + h.length + body.length); b.writeUInt32BE(h.length, 0); h.copy(b, 4); body.copy(b, 4 + h.length); return b; };
// A LOG line as the runtime writes it: level, stream, time, no invocation id, the message.
const logLine = (msg) => { const m = Buffer.from(msg); const b = Buffer.alloc(11 + m.length); b[0] = 1; b[1] = 0; b.writeDoubleLE(Date.now(), 2); b[10] = 0; m.copy(b, 11); return b; };
const credit = (n) => { const b = Buffer.alloc(4); b.writeUInt32BE(n >>> 0, 0); return b; };

// Valid-looking payloads for every frame type an instance sends, and nasty ones.
const TEMPLATES = [
  [10, () => json({ pid: 1 })],
  [11, () => json({ functions: [{ name: 'x', kind: 'http', settings: {} }] })],
  [12, () => json({ message: 'load failed', stack: 'at x' })],
  [13, () => json({ status: 200, headers: [['content-type', 'text/plain']] })],
  [14, (r) => Buffer.alloc(Math.floor(r() * 300000), 0x42)],
  [15, () => json({ cpuMicros: 10 })],
  [16, () => json({ message: 'boom' })],
  // An error whose waitUntil work lingers, a bad lingers flag, and the SETTLED that ends lingering.
  [16, () => json({ message: 'boom', lingers: true })],
  [16, () => json({ message: 'boom', lingers: 'yes' })],
  [19, () => json({ cpuMicros: 5 })],
  [17, () => logLine('fuzz')],
  // LOG as it was before lines went binary: malformed now.
  [17, () => json({ lines: [{ inv: null, level: 'info', stream: 'stdout', t: Date.now(), msg: 'fuzz' }] })],
  [18, () => fullResponse({ status: 200, headers: [], cpuMicros: 1 }, Buffer.from('fuzzed'))],
  [20, () => json({ service: 'queues', method: 'send', args: ['fuzz-q', [{ body: 1 }]], inv: null, hasBody: false })],
  [20, () => json({ service: 'blobs', method: 'put', args: ['fuzz-b', 'k', {}], inv: null, hasBody: true })],
  [21, (r) => Buffer.alloc(Math.floor(r() * 5000), 0x43)],
  [22, () => Buffer.alloc(0)],
  [26, () => Buffer.alloc(0)],
  [30, (r) => credit(r() * 2 ** 32)],
  [33, (r) => credit(r() * 2 ** 32)],
];
const NASTY = [
  () => deep(100000), () => Buffer.from('notjson'), () => json(null), () => json([]), () => json('x'), () => json(1e308),
  () => json({ status: '200', headers: {} }), () => json({ lines: 'x' }), () => json({ lines: [null] }),
  () => json({ status: 200, headers: [[1, 2]], cpuMicros: -1 }), () => json({ functions: 5 }), () => Buffer.from([0xff, 0xfe, 0x00]),
  () => json({ __proto__: { status: 200 }, constructor: { prototype: {} } }), () => Buffer.alloc(0),
];

function oneFrame(r) {
  const pick = (list) => list[Math.floor(r() * list.length)];
  const stream = r() < 0.6 ? Math.floor(r() * 4) : Math.floor(r() * 2 ** 32);
  const [type, make] = pick(TEMPLATES);
  const strategy = r();
  if (strategy < 0.25) return frame(type, stream, make(r));
  if (strategy < 0.45) {
    const bytes = frame(type, stream, make(r));
    for (let i = 0; i < 1 + Math.floor(r() * 4); i++) bytes[Math.floor(r() * bytes.length)] ^= 1 << Math.floor(r() * 8);
    return bytes;
  }
  if (strategy < 0.55) { const bytes = frame(type, stream, make(r)); bytes.writeUInt32BE(Math.floor(r() * 2 ** 32), 0); return bytes; }
  if (strategy < 0.65) { const bytes = frame(type, stream, make(r)); return bytes.subarray(0, Math.floor(r() * bytes.length)); }
  if (strategy < 0.8) return frame(type, stream, pick(NASTY)());
  if (strategy < 0.9) return frame(Math.floor(r() * 256), stream, Buffer.alloc(Math.floor(r() * 64), Math.floor(r() * 256)));
  return Buffer.alloc(1 + Math.floor(r() * 64), Math.floor(r() * 256));
}

export const fuzz = http({ route: 'GET /fuzz/:seed', timeoutMs: 3000, maxInstances: 4 }, async (req, ctx) => {
  const r = prng(Number(ctx.params.seed));
  const count = Number(new URL(req.url).searchParams.get('count') ?? 20);
  let bytes = 0;
  for (let i = 0; i < count; i++) bytes += writeAll(oneFrame(r));
  await new Promise((resolve) => setTimeout(resolve, 20));
  return { frames: count, bytes };
});
`;

const VICTIM = `
import { http } from 'nimbus-functions';
export const steady = http({ route: 'GET /steady' }, () => 'steady');
`;

const INVOCATIONS = Number(process.env['FUZZ_INVOCATIONS'] ?? 200);
const FRAMES_PER_INVOCATION = 25;

describe('protocol fuzzing from real instances', () => {
  let node: TestNode;
  before(async () => {
    node = await startTestNode({ warmPool: { sizePerShape: 2, initialShapes: [128] } });
    for (const [app, source] of [['steady', VICTIM], ['fuzzer', FUZZER]] as const) {
      const deployed = await node.deploy(app, { 'index.ts': source, 'raw-frames.js': RAW_FRAMES });
      assert.equal(deployed.status, 201, JSON.stringify(deployed.body));
    }
  });
  after(() => node.dispose());

  /** One fuzzing invocation's answer; undefined when the connection closed without a whole head. */
  const fuzz = (seed: number): Promise<Response | undefined> =>
    fetch(`${node.url}/fuzz/${seed}?count=${FRAMES_PER_INVOCATION}`).catch((err: unknown) => {
      if (err instanceof TypeError && err.message === 'fetch failed') return undefined;
      throw err;
    });

  test(`${INVOCATIONS * FRAMES_PER_INVOCATION} frames: the node keeps serving, nothing it answers is its own internal error`, async () => {
    const rssBefore = process.memoryUsage().rss;
    const statuses = new Map<number, number>();
    let steadyOk = 0;
    for (let seed = 1; seed <= INVOCATIONS; seed += 2) {
      const [a, b, steady] = await Promise.all([
        fuzz(seed),
        fuzz(seed + 1),
        fetch(`${node.url}/steady`),
      ]);
      if (process.env['FUZZ_VERBOSE']) console.log(seed, a?.status, b?.status);
      for (const res of [a, b]) {
        if (res === undefined) {
          // The instance broke the protocol after its answer's head was committed: the node can only cut the connection.
          statuses.set(0, (statuses.get(0) ?? 0) + 1);
          continue;
        }
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        const text = await res.text().catch(() => '');
        assert.ok(!text.includes('NIMBUS_ERR_INTERNAL'), `seed ${seed}: the node answered its own internal error: ${text.slice(0, 300)}`);
      }
      assert.equal(steady.status, 200, `the steady function failed while seed ${seed} fuzzed`);
      assert.equal(await steady.text(), 'steady');
      steadyOk++;
    }
    const health = await fetch(`${node.url}/_nimbus/health`);
    assert.equal(health.status, 200);
    const rssAfter = process.memoryUsage().rss;
    const summary = [...statuses].sort(([x], [y]) => x - y).map(([s, n]) => `${s}×${n}`).join(' ');
    console.log(`fuzz: ${INVOCATIONS} invocations × ${FRAMES_PER_INVOCATION} frames; answers ${summary} (0: connection cut after the head); steady answered ${steadyOk}/${INVOCATIONS / 2}; test process RSS ${(rssBefore / 1048576).toFixed(0)} → ${(rssAfter / 1048576).toFixed(0)} MiB`);
    assert.ok((statuses.get(502) ?? 0) > INVOCATIONS / 4, `most fuzzing instances should have been caught: ${summary}`);
    assert.ok(rssAfter - rssBefore < 300 * 1048576, `RSS grew from ${rssBefore} to ${rssAfter}`);
  });
});
