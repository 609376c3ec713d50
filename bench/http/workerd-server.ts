/**
 * Cloudflare's `workerd` runtime serving the hello Worker: what a user would
 * run instead of Nimbus for the same function. The binary comes from the
 * `workerd` npm package; where it is not installed the rows are skipped
 * with a note, never failed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sleep } from '../support/stats.js';

const START_TIMEOUT_MS = 10_000;

/** The hello handler as a Worker module: the same route match and the same JSON body as hello-app.ts. */
const WORKER_SOURCE = `export default {
  fetch(request) {
    const match = /^\\/[^/]+\\/hello\\/([^/?]+)/.exec(new URL(request.url).pathname);
    if (request.method !== 'GET' || !match) return new Response(null, { status: 404 });
    return Response.json({ hello: decodeURIComponent(match[1]) });
  },
};
`;

function configSource(port: number, compatibilityDate: string): string {
  return `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [ (name = "main", worker = .hello) ],
  sockets = [ (name = "http", address = "127.0.0.1:${port}", http = (), service = "main") ],
);
const hello :Workerd.Worker = (
  modules = [ (name = "worker", esModule = embed "worker.js") ],
  compatibilityDate = "${compatibilityDate}",
);
`;
}

export interface WorkerdServer {
  url: string;
  pid: number;
  /** `workerd` package version, for the notes. */
  version: string;
  close(): Promise<void>;
}

interface WorkerdPackage {
  binary: string;
  version: string;
  compatibilityDate: string;
}

/** The `workerd` package's binary, or a reason it is not there. */
export function findWorkerd(): WorkerdPackage | string {
  try {
    const require = createRequire(import.meta.url);
    const pkg = require('workerd') as { default: string; version: string; compatibilityDate: string };
    return { binary: pkg.default, version: pkg.version, compatibilityDate: pkg.compatibilityDate };
  } catch (err) {
    return `workerd not installed (npm i -D workerd): ${(err as Error).message.split('\n')[0]}`;
  }
}

export async function startWorkerd(pkg: WorkerdPackage): Promise<WorkerdServer> {
  const dir = mkdtempSync(join(tmpdir(), 'nimbus-bench-workerd-'));
  const port = await freePort();
  writeFileSync(join(dir, 'worker.js'), WORKER_SOURCE);
  // The newest date this binary knows: the runtime as a new project would configure it.
  writeFileSync(join(dir, 'config.capnp'), configSource(port, pkg.compatibilityDate));
  const child = spawn(pkg.binary, ['serve', join(dir, 'config.capnp')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => { if (stderr.length < 4096) stderr += chunk.toString(); });
  const url = `http://127.0.0.1:${port}`;
  const close = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await untilServing(child, url, () => stderr);
  } catch (err) {
    await close();
    throw err;
  }
  return { url, pid: child.pid ?? -1, version: pkg.version, close };
}

async function untilServing(child: ChildProcess, url: string, stderr: () => string): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`workerd exited (code ${child.exitCode}): ${stderr()}`);
    try {
      if ((await fetch(`${url}/x/hello/ready`)).ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`workerd did not serve within ${START_TIMEOUT_MS} ms: ${stderr()}`);
    await sleep(50);
  }
}

/** A port free right now on 127.0.0.1 (workerd takes an address, not a listening socket). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
