/**
 * Callers that never read: streamed function answers (direct and relayed
 * from ctx.blobs.get), blob downloads and a log follower, all at once,
 * against a node in its own process. The node's memory stays within a bound
 * while the functions try to produce gigabytes, and the functions stop once
 * their callers leave. Figures are printed for docs/security.md.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { admin, eventually } from '../helpers/admin-client.js';
import { startNodeProcess, type NodeProcess } from '../helpers/node-process.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { deployApp, putBlob } from '../server/triggers/trigger-fixtures.js';

const STREAM_MB = 300;
const APP = `
import { http } from 'nimbus-functions';
const MB = 1024 * 1024;

// GET /big/stream produces ${STREAM_MB} MB as fast as it is pulled; GET /big/progress (same instance) says how far streams got.
let furthest = 0;
export const big = http({ route: 'GET /big/:what', timeoutMs: 120000, concurrency: 16, maxInstances: 1 }, (req, ctx) => {
  if (ctx.params.what === 'progress') return { furthestMb: furthest / MB };
  const chunk = new Uint8Array(64 * 1024).fill(120);
  let produced = 0;
  return new Response(new ReadableStream({
    pull(controller) {
      if (produced >= ${STREAM_MB} * MB) return controller.close();
      controller.enqueue(chunk);
      produced += chunk.length;
      furthest = Math.max(furthest, produced);
    },
  }));
});

// A blob passed through the function: ctx.blobs.get's download feeds the answer.
export const relay = http({ route: 'GET /relay', timeoutMs: 120000, concurrency: 16, maxInstances: 1 }, async (req, ctx) => {
  const object = await ctx.blobs.get('big', 'object');
  return new Response(object.body);
});

// Takes a request body and never reads it; answers after a while. (A caller that leaves while the node is not
// reading its body is only noticed once the node reads again: the kernel holds the rest.)
export const hold = http({ route: 'POST /hold', timeoutMs: 120000, concurrency: 16, maxInstances: 1 }, () =>
  new Promise((resolve) => setTimeout(() => resolve('let go'), 6000)));

// A burst of log lines for a follower that never reads them.
export const chatty = http({ route: 'GET /chatty', timeoutMs: 60000 }, async () => {
  const line = 'x'.repeat(1000);
  for (let i = 0; i < 20000; i++) { console.log(i + ' ' + line); if (i % 500 === 0) await new Promise((r) => setImmediate(r)); }
  return 'said a lot';
});
`;

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) / 1024;
}

/** A client that sends its request (and a body, as fast as the node takes it) and never reads a byte of the answer. */
function nonReader(url: string, path: string, headers: Record<string, string> = {}, body?: Buffer): Promise<Socket> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: hostname, port: Number(port) }, () => {
      socket.pause();
      const lines = Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('');
      const method = body ? 'POST' : 'GET';
      const length = body ? `content-length: ${body.length}\r\n` : '';
      socket.write(`${method} ${path} HTTP/1.1\r\nhost: ${hostname}\r\n${length}${lines}\r\n`);
      if (body) socket.write(body);
      resolve(socket);
    });
    socket.on('error', () => {});
    socket.once('error', reject);
  });
}

describe('slow readers on every streamed path', () => {
  const data = makeTempDir('nimbus-slow-');
  const apps = makeTempDir('nimbus-slow-app-');
  let node: NodeProcess;
  before(async () => {
    node = await startNodeProcess(data.dir);
    await deployApp(node, `${apps.dir}/app`, 'slow', { 'index.ts': APP });
    const put = await putBlob(node, 'big', 'object', new Uint8Array(64 * 1024 * 1024).fill(7));
    assert.equal(put.status, 201, JSON.stringify(put.body));
  });
  after(async () => {
    await node.stop();
    data.remove();
    apps.remove();
  });

  test('memory stays bounded while nobody reads, and the functions stop when the callers leave', async () => {
    // Warm both functions, so the baseline includes their instances' host-side state.
    for (const path of ['/big/stream', '/relay']) {
      const res = await fetch(`${node.url}${path}`);
      const reader = res.body!.getReader();
      await reader.read();
      await reader.cancel();
    }
    const baseline = rssMb(node.child.pid!);
    const auth = { authorization: `Bearer ${node.adminKey}` };
    const clients: Socket[] = [];
    for (let i = 0; i < 10; i++) clients.push(await nonReader(node.url, '/big/stream'));
    for (let i = 0; i < 5; i++) clients.push(await nonReader(node.url, '/relay'));
    for (let i = 0; i < 5; i++) clients.push(await nonReader(node.url, '/_nimbus/api/v1/blobs/big/object', auth));
    clients.push(await nonReader(node.url, '/_nimbus/api/v1/apps/slow/logs?fn=chatty&follow=1', auth));
    const upload = Buffer.alloc(5 * 1024 * 1024, 9);
    for (let i = 0; i < 10; i++) clients.push(await nonReader(node.url, '/hold', {}, upload));
    assert.equal(await (await fetch(`${node.url}/chatty`)).text(), 'said a lot');

    // Long enough for unbounded buffering to take gigabytes; the bound holds whatever the machine's speed.
    let peak = baseline;
    for (let i = 0; i < 16; i++) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      peak = Math.max(peak, rssMb(node.child.pid!));
    }
    const { furthestMb } = (await (await fetch(`${node.url}/big/progress`)).json()) as { furthestMb: number };
    const furthest = Math.round(furthestMb);
    for (const client of clients) client.destroy();
    await eventually(async () => {
      const { body } = await admin(node, 'GET', '/apps/slow');
      return (body.app.functions as { inflight: number }[]).every((f) => f.inflight === 0);
    }, 30_000, 'every abandoned stream to end');
    const settled = rssMb(node.child.pid!);
    console.log(`slow readers: 10 streamed answers of ${STREAM_MB} MB, 5 relayed and 5 direct 64 MB blob downloads, 1 log follower (20 MB of lines), 10 uploads of 5 MB to a function that never reads them; node RSS ${baseline.toFixed(0)} MiB before, ${peak.toFixed(0)} MiB at most while they didn't read, ${settled.toFixed(0)} MiB after they left; a streaming function got at most ${furthest} MB ahead of its reader`);
    assert.ok(peak - baseline < 250, `node RSS grew ${(peak - baseline).toFixed(0)} MiB`);
    assert.ok(furthest < 32, `a function produced ${furthest} MB that nobody read`);
  });
});
