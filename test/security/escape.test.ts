import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { detectIsolation } from '../../src/runtime/sandbox/detect-isolation.js';
import { admin } from '../helpers/admin-client.js';
import { startTestNode, type TestNode } from '../helpers/test-node.js';

/** Each probe returns what it managed to do; the test asserts it managed nothing it shouldn't. */
const PROBES = `
import { http } from 'nimbus-functions';
import { readFileSync, writeFileSync, readdirSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { connect } from 'node:net';

const attempt = (fn) => { try { return { ok: true, value: String(fn()).slice(0, 200) }; } catch (e) { return { ok: false, error: String(e.code ?? e.message) }; } };

function tcp(host, port, timeoutMs = 1500) {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (result) => { socket.destroy(); resolve(result); };
    socket.setTimeout(timeoutMs, () => done({ ok: false, error: 'timeout' }));
    socket.on('connect', () => done({ ok: true }));
    socket.on('error', (e) => done({ ok: false, error: e.code }));
  });
}

export const files = http({ route: 'POST /probe/files' }, async (req) => {
  const { dataDir, otherBundle } = await req.json();
  return {
    shadow: attempt(() => readFileSync('/etc/shadow', 'utf8')),
    passwd: attempt(() => readFileSync('/etc/passwd', 'utf8')),
    rootHome: attempt(() => readdirSync('/root')),
    state: attempt(() => readFileSync(dataDir + '/state.sqlite').length),
    adminKey: attempt(() => readFileSync(dataDir + '/admin-key', 'utf8')),
    masterKey: attempt(() => readFileSync(dataDir + '/master-key', 'utf8')),
    otherBundle: attempt(() => readFileSync(otherBundle, 'utf8')),
    writeOutside: attempt(() => writeFileSync('/escape.txt', 'x')),
    writeApp: attempt(() => writeFileSync('/app/escape.txt', 'x')),
    writeTmp: attempt(() => { writeFileSync('/tmp/ok.txt', 'fine'); return readFileSync('/tmp/ok.txt', 'utf8'); }),
    procPids: attempt(() => readdirSync('/proc').filter((d) => /^\\d+$/.test(d)).length),
    env: Object.keys(process.env),
    uid: process.getuid?.(),
  };
});

export const fillTmp = http({ route: 'GET /probe/fill-tmp' }, () => {
  const chunk = Buffer.alloc(4 * 1024 * 1024, 1);
  let written = 0;
  try {
    for (let i = 0; i < 1000; i++) { writeFileSync('/tmp/fill-' + i, chunk); written += chunk.length; }
    return { error: null, written };
  } catch (e) { return { error: e.code, written }; }
});

export const fork = http({ route: 'GET /probe/fork' }, async () => {
  const children = [];
  let error = null;
  for (let i = 0; i < 500 && !error; i++) {
    try {
      const child = spawn('/bin/sh', ['-c', 'sleep 5'], { stdio: 'ignore' });
      child.on('error', (e) => { error = error ?? e.code; });
      children.push(child);
      await new Promise((r) => setImmediate(r));
    } catch (e) { error = e.code ?? e.message; }
  }
  for (const c of children) try { c.kill('SIGKILL'); } catch {}
  return { error, started: children.length };
});

export const hog = http({ route: 'GET /probe/hog', memoryMb: 128 }, async () => {
  const keep = [];
  for (let i = 0; i < 128; i++) { keep.push(Buffer.alloc(8 * 1024 * 1024, i)); await new Promise((r) => setImmediate(r)); }
  return 'survived ' + keep.length;
});

export const spin = http({ route: 'GET /probe/spin', timeoutMs: 500 }, () => { for (;;) {} });

export const outbound = http({ route: 'POST /probe/outbound' }, async (req) => {
  const { adminPort, loopbackPort } = await req.json();
  return { admin: await tcp('127.0.0.1', adminPort), loopback: await tcp('127.0.0.1', loopbackPort), privateRange: await tcp('10.255.255.1', 80, 800) };
});

export const nonet = http({ route: 'POST /probe/nonet', network: 'none' }, async (req) => {
  const { loopbackPort } = await req.json();
  return { loopback: await tcp('127.0.0.1', loopbackPort), privateRange: await tcp('10.255.255.1', 80, 800) };
});

export const secrets = http({ route: 'GET /probe/secrets' }, (req, ctx) => ({ present: process.env.API_TOKEN === 's3cr3t-value', viaCtx: ctx.env.API_TOKEN === 's3cr3t-value' }));

export const guarded = http({ route: 'GET /probe/guarded', auth: 'key' }, () => 'let in');
`;

const allowedApp = (port: number) => `
import { http } from 'nimbus-functions';
import { connect } from 'node:net';
const tcp = (port) => new Promise((resolve) => {
  const s = connect({ host: '127.0.0.1', port });
  s.setTimeout(1500, () => { s.destroy(); resolve('timeout'); });
  s.on('connect', () => { s.destroy(); resolve('connected'); });
  s.on('error', (e) => resolve(e.code));
});
export const allowed = http({ route: 'GET /probe/allowed', network: { allow: ['127.0.0.1:${port}'] } }, async () => ({ allowed: await tcp(${port}) }));
`;

const report = await detectIsolation();
const skip = report.level === 'strict' ? false : `strict isolation is not available here: ${report.missing.join('; ')}`;

describe('escape suite: what a function must not be able to do under strict isolation', { skip }, () => {
  let node: TestNode;
  let loopback: Server;
  let loopbackPort = 0;
  const logs: string[] = [];
  before(async () => {
    process.env['NIMBUS_ESCAPE_MARKER'] = 'host-secret-environment';
    loopback = createServer((_, res) => res.end('host service'));
    await new Promise<void>((resolve) => loopback.listen(0, '127.0.0.1', resolve));
    loopbackPort = (loopback.address() as AddressInfo).port;
    node = await startTestNode({ isolation: 'strict', warmPool: { sizePerShape: 2, initialShapes: [128] } });
    node.onFunctionLog((line) => logs.push(line.message));
    assert.equal((await node.deploy('other', { 'index.ts': `import { http } from 'nimbus-functions';\nexport const x = http({}, () => 'other app');` })).status, 201);
    assert.equal((await admin(node, 'PUT', '/apps/probe/secrets/API_TOKEN', { value: 's3cr3t-value' })).status < 300, true);
    const deployed = await node.deploy('probe', { 'index.ts': PROBES });
    assert.equal(deployed.status, 201, JSON.stringify(deployed.body));
  });
  after(async () => {
    await node?.dispose();
    loopback?.close();
  });

  const post = async (path: string, body: unknown) => (await fetch(`${node.url}${path}`, { method: 'POST', body: JSON.stringify(body) })).json() as Promise<Record<string, any>>;

  test('host files, the data folder, other apps\' bundles and writes outside /tmp are out of reach', async () => {
    const bundles = readdirSync(join(node.dataDir, 'bundles')).filter((f) => f.endsWith('.mjs'));
    const result = await post('/probe/files', { dataDir: node.dataDir, otherBundle: join(node.dataDir, 'bundles', bundles[0]!) });
    for (const key of ['shadow', 'rootHome', 'state', 'adminKey', 'masterKey', 'otherBundle', 'writeOutside', 'writeApp']) {
      assert.equal(result[key].ok, false, `${key} must be blocked: ${JSON.stringify(result[key])}`);
    }
    assert.equal(result['writeTmp'].value, 'fine', 'its own /tmp works');
    assert.equal(result['uid'], 65534, 'it runs as nobody');
    assert.ok(result['procPids'].ok === false || Number(result['procPids'].value) <= 5, `it sees only its own processes: ${JSON.stringify(result['procPids'])}`);
    assert.ok(!result['env'].includes('NIMBUS_ESCAPE_MARKER'), 'the host environment does not leak in');
  });

  test('filling /tmp stops at its cap with ENOSPC', async () => {
    const result = await (await fetch(`${node.url}/probe/fill-tmp`)).json() as { error: string | null; written: number };
    assert.equal(result.error, 'ENOSPC');
    assert.ok(result.written < 1024 * 1024 * 1024);
  });

  test('a fork bomb is stopped (no child processes, or stopped at the pids limit)', async () => {
    const result = await (await fetch(`${node.url}/probe/fork`)).json() as { error: string | null; started: number };
    assert.ok(result.error !== null, `spawning must fail at some point: started ${result.started}`);
    assert.equal((await fetch(`${node.url}/fn/other/x`)).status, 200, 'the node and other apps are unaffected');
  });

  test('allocating past memoryMb is an out-of-memory failure, reported as such; the node is unaffected', async () => {
    const res = await fetch(`${node.url}/probe/hog`);
    assert.equal(res.status, 502);
    assert.equal((await res.json() as { error: { code: string } }).error.code, 'NIMBUS_ERR_FUNCTION_OUT_OF_MEMORY');
    assert.equal((await fetch(`${node.url}/fn/other/x`)).status, 200);
  });

  test('a CPU spin is killed at its timeout', async () => {
    const res = await fetch(`${node.url}/probe/spin`);
    assert.equal(res.status, 504);
  });

  test('the admin port, other loopback services and private ranges are refused; network none reaches nothing', async () => {
    const adminPort = Number(new URL(node.url).port);
    const out = await post('/probe/outbound', { adminPort, loopbackPort });
    assert.equal(out['admin'].ok, false, `admin port: ${JSON.stringify(out['admin'])}`);
    assert.equal(out['loopback'].ok, false, `loopback service: ${JSON.stringify(out['loopback'])}`);
    assert.equal(out['privateRange'].ok, false);
    const none = await post('/probe/nonet', { loopbackPort });
    assert.equal(none['loopback'].ok, false);
    assert.equal(none['privateRange'].ok, false);
  });

  test('an allow-listed loopback host:port is reachable', async () => {
    const deployed = await node.deploy('allowed', { 'index.ts': allowedApp(loopbackPort) });
    assert.equal(deployed.status, 201, JSON.stringify(deployed.body));
    const result = await (await fetch(`${node.url}/probe/allowed`)).json() as { allowed: string };
    assert.equal(result.allowed, 'connected');
  });

  test('secrets reach the app\'s env and nowhere else: not the API, not the logs', async () => {
    assert.deepEqual(await (await fetch(`${node.url}/probe/secrets`)).json(), { present: true, viaCtx: true });
    const listed = await admin(node, 'GET', '/apps/probe/secrets');
    assert.doesNotMatch(JSON.stringify(listed.body), /s3cr3t-value/);
    const apps = await admin(node, 'GET', '/apps');
    assert.doesNotMatch(JSON.stringify(apps.body), /s3cr3t-value/);
    assert.ok(!logs.some((l) => l.includes('s3cr3t-value')));
  });

  test('stack traces inside the sandbox are source-mapped to the app\'s own files', async () => {
    const res = await node.deploy('broken', { 'index.ts': `import { http } from 'nimbus-functions';\nthrow new Error('bad config');\nexport const f = http({}, () => 'x');` });
    assert.equal(res.status, 400);
    assert.match(res.body.error.message, /bad config[\s\S]*nimbus-app:\/\/\/broken\/index\.ts:2:\d+/);
  });

  test('function keys: 401 without, 200 with, 401 after revoke', async () => {
    assert.equal((await fetch(`${node.url}/probe/guarded`)).status, 401);
    const created = await admin(node, 'POST', '/keys', { scope: { kind: 'function', app: 'probe', fn: 'guarded' } });
    assert.equal(created.status, 201);
    assert.equal((await fetch(`${node.url}/probe/guarded`, { headers: { 'x-nimbus-key': created.body.key } })).status, 200);
    assert.equal((await fetch(`${node.url}/probe/guarded?key=${encodeURIComponent(created.body.key)}`)).status, 200);
    assert.equal((await admin(node, 'DELETE', `/keys/${created.body.id}`)).status, 204);
    assert.equal((await fetch(`${node.url}/probe/guarded`, { headers: { 'x-nimbus-key': created.body.key } })).status, 401);
  });
});
