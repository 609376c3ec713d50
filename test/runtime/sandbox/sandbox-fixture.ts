import { mkdtemp, rm, writeFile, chmod } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Sandbox, SandboxAssignment, SandboxDriver } from '../../../src/runtime/sandbox/driver.js';
import { ProbeClient, writeProbeInstance, type ProbeAnswer } from './probe-instance.js';

/**
 * The bundle every driver test assigns: one default export that performs a
 * named probe, so a test reads as "the sandbox tried X and got Y".
 */
export const PROBE_BUNDLE_SOURCE = `
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import { spawn } from 'node:child_process';
import { Worker } from 'node:worker_threads';

const ops = {
  read: ({ path }) => fs.readFileSync(path, 'utf8'),
  list: ({ path }) => fs.readdirSync(path),
  write: ({ path, bytes }) => { fs.writeFileSync(path, Buffer.alloc(bytes, 120)); return bytes; },
  env: () => process.env,
  identity: () => ({ uid: process.getuid(), gid: process.getgid(), pid: process.pid }),
  status: () => fs.readFileSync('/proc/self/status', 'utf8'),
  limits: () => fs.readFileSync('/proc/self/limits', 'utf8'),
  pids: () => fs.readdirSync('/proc').filter((name) => /^\\d+$/.test(name)).map(Number),
  addresses: () => Object.values(os.networkInterfaces()).flat().filter((a) => a && !a.internal && a.family === 'IPv4').map((a) => a.address),
  allocate: ({ mb }) => { const kept = []; for (let i = 0; i < mb; i++) kept.push(Buffer.alloc(1024 * 1024, 1)); globalThis.kept = kept; return mb; },
  heap: () => { const kept = []; for (;;) kept.push(new Array(1e6).fill(Math.random())); },
  spin: ({ ms, threads }) => {
    const code = 'const end = Date.now() + ' + ms + '; while (Date.now() < end) {}';
    for (let i = 1; i < threads; i++) new Worker(code, { eval: true });
    eval(code);
    return true;
  },
  fork: ({ count }) => new Promise((resolve) => {
    let started = 0, failed = 0, settled = 0;
    const errors = new Set();
    for (let i = 0; i < count; i++) {
      const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
      child.once('spawn', () => { started++; if (++settled === count) resolve({ started, failed, errors: [...errors] }); });
      child.once('error', (error) => { failed++; errors.add(error.code); if (++settled === count) resolve({ started, failed, errors: [...errors] }); });
    }
  }),
  connect: ({ host, port, timeoutMs = 3000 }) => new Promise((resolve, reject) => {
    const socket = net.connect({ host, port });
    let data = '';
    const timer = setTimeout(() => { socket.destroy(); reject(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' })); }, timeoutMs);
    socket.on('data', (chunk) => (data += chunk));
    socket.on('end', () => { clearTimeout(timer); resolve(data); });
    socket.on('error', (error) => { clearTimeout(timer); reject(error); });
  }),
  listen: ({ port }) => new Promise((resolve) => {
    const server = net.createServer((socket) => socket.end('sandbox'));
    server.listen(port, '0.0.0.0', () => resolve(port));
    globalThis.server = server;
  }),
  exit: ({ code }) => { setTimeout(() => process.exit(code), 10); return code; },
  echo: ({ value }) => value,
};
export default (arg) => ops[arg.op](arg);
`;

export interface StartedSandbox {
  sandbox: Sandbox;
  client: ProbeClient;
  bundlePath: string;
  probe(op: string, args?: Record<string, unknown>): Promise<ProbeAnswer>;
}

/** A temp folder with the probe instance runtime and bundles, removed by `close()`. */
export class SandboxFixture {
  private constructor(readonly dir: string, readonly instanceScript: string, readonly bundlesDir: string) {}

  static async create(): Promise<SandboxFixture> {
    const dir = await mkdtemp(join(tmpdir(), 'nimbus-sandbox-test-'));
    const bundlesDir = join(dir, 'bundles');
    await import('node:fs/promises').then((fs) => fs.mkdir(bundlesDir));
    return new SandboxFixture(dir, await writeProbeInstance(dir), bundlesDir);
  }

  /** A bundle file as the deploy path stores it (content-addressed files are read-only for the world). */
  async writeBundle(name: string, source = PROBE_BUNDLE_SOURCE): Promise<string> {
    const path = join(this.bundlesDir, name);
    await writeFile(path, source);
    await chmod(path, 0o644);
    return path;
  }

  /** Spawns, waits for READY, assigns a probe bundle. */
  async start(driver: SandboxDriver, assignment: Partial<SandboxAssignment> = {}, memoryMb = 128): Promise<StartedSandbox> {
    const sandbox = await driver.spawn({ memoryMb });
    const client = new ProbeClient(sandbox.channel);
    await client.ready;
    const bundle = assignment.bundlePath ?? (await this.writeBundle(`probe-${Math.random().toString(36).slice(2)}.mjs`));
    const { bundlePath } = await sandbox.assign({
      app: 'probe',
      version: 1,
      functionName: 'probe',
      memoryMb,
      cpuShares: 0,
      network: 'outbound',
      env: {},
      ...assignment,
      bundlePath: bundle,
    });
    return { sandbox, client, bundlePath, probe: (op, args = {}) => client.call(bundlePath, { op, ...args }) };
  }

  async close(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
  }
}
