/**
 * A throwaway redis-server (the distribution's package) for the BullMQ
 * baseline: 127.0.0.1, a free port, its own temp dir, AOF with
 * `appendfsync everysec` and no RDB snapshots, stopped and removed after.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const READY_TIMEOUT_MS = 10_000;
const STOP_TIMEOUT_MS = 10_000;

export interface RedisServer {
  port: number;
  pid: number;
  stop(): Promise<void>;
}

/** Starts one, or resolves with why it could not (redis-server not installed, or it failed to start). */
export async function startRedisServer(): Promise<RedisServer | { skipped: string }> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'nimbus-bench-redis-'));
  const child = spawn('redis-server', [
    '--bind', '127.0.0.1', '--port', String(port), '--dir', dir,
    '--appendonly', 'yes', '--appendfsync', 'everysec', '--save', '',
    '--daemonize', 'no', '--protected-mode', 'yes', '--loglevel', 'notice',
  ], { stdio: ['ignore', 'pipe', 'pipe'] });
  const cleanup = () => rmSync(dir, { recursive: true, force: true });
  const ready = await new Promise<true | string>((resolve) => {
    let output = '';
    const timer = setTimeout(() => resolve(`redis-server did not become ready in ${READY_TIMEOUT_MS} ms: ${output.slice(-500)}`), READY_TIMEOUT_MS);
    const done = (result: true | string) => {
      clearTimeout(timer);
      resolve(result);
    };
    child.once('error', (error: NodeJS.ErrnoException) => done(error.code === 'ENOENT' ? 'redis-server is not installed (apt-get install redis-server)' : String(error)));
    child.once('exit', (code) => done(`redis-server exited with code ${code}: ${output.slice(-500)}`));
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Ready to accept connections')) done(true);
    });
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  });
  if (ready !== true) {
    child.kill('SIGKILL');
    cleanup();
    return { skipped: ready };
  }
  child.stdout!.resume();
  child.stderr!.resume();
  return { port, pid: child.pid!, stop: () => stop(child).finally(cleanup) };
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
  await exited;
  clearTimeout(timer);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
