#!/usr/bin/env node
// An experiment for issue #14's target 1, not part of `npm run bench`: how close does a
// V8 isolate inside the server process (isolated-vm, the other way to isolate a function
// than a process of its own) come to a hand-written node:http server? The isolate gets
// the least a function could: method, URL and headers as strings, its answer back as one
// JSON string, a memory limit and a CPU timeout per call; no Request or Response objects,
// no metering, no log capture. So this is an upper bound for that design.
//
// isolated-vm is not a dependency (it builds from source; its prebuilt binaries are on
// GitHub). To run it: npm i --no-save isolated-vm@5 --ignore-scripts, then
// (cd node_modules/isolated-vm && npx node-gyp rebuild --release --nodedir=/usr), where
// /usr/include/node holds this Node's headers; `npm run build`; then
// node bench/experiments/isolate-gateway.mjs [--no-timeout] (without the per-call CPU timeout)
import http from 'node:http';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const [role, kind, port, timeoutFlag] = process.argv.slice(2);
if (role === 'serve') await serve(kind, Number(port), timeoutFlag !== '--no-timeout');
else await measure(process.argv.includes('--no-timeout') ? '--no-timeout' : '--timeout');

async function serve(kind, port, withTimeout) {
  let handle;
  if (kind === 'hand-written') {
    handle = (req, res) => {
      const body = JSON.stringify({ hello: 'world' });
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    };
  } else {
    const ivm = (await import('isolated-vm')).default;
    const isolate = new ivm.Isolate({ memoryLimit: 128 });
    const context = await isolate.createContext();
    await context.eval(`globalThis.handler = (method, url, headers) =>
      JSON.stringify({ status: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ hello: 'world' }) });`);
    const handler = await context.global.get('handler', { reference: true });
    const options = { ...(withTimeout ? { timeout: 50 } : {}), arguments: { copy: true }, result: { copy: true } };
    handle = (req, res) => {
      const answer = JSON.parse(handler.applySync(undefined, [req.method, req.url, JSON.stringify(req.headers)], options));
      res.writeHead(answer.status, { ...answer.headers, 'content-length': Buffer.byteLength(answer.body) });
      res.end(answer.body);
    };
  }
  http.createServer(handle).listen(port, '127.0.0.1', () => process.stdout.write('ready\n'));
}

async function measure(timeoutFlag) {
  const { LoadClient } = await import('../../dist/bench/load/load-client.js');
  const { measureLoad } = await import('../../dist/bench/support/measure-load.js');
  const client = await LoadClient.start();
  const others = new Set([client.pid]);
  const config = { connections: 50, warmupSec: 1, measureSec: 4 };
  const rows = [];
  // Alternated, so both see the same moment of a shared machine.
  for (let round = 1; round <= 3; round++) {
    for (const [kind, port] of [['hand-written', 41801], ['isolate', 41802]]) {
      const child = spawn(process.execPath, [fileURLToPath(import.meta.url), 'serve', kind, String(port), timeoutFlag], { stdio: ['ignore', 'pipe', 'inherit'] });
      others.add(child.pid);
      await new Promise((resolve) => child.stdout.once('data', resolve));
      const m = await measureLoad(client, `http://127.0.0.1:${port}/`, config, others, child.pid);
      rows.push({ round, kind, reqPerSec: Math.round(m.load.completed / config.measureSec), cpuUsPerReq: Number(m.serverCpuUsPerReq.toFixed(1)) });
      child.kill();
      await new Promise((resolve) => child.once('exit', resolve));
    }
  }
  console.table(rows);
  await client.close?.();
  process.exit(0);
}
