/**
 * Throwaway PostgreSQL servers for tests: `initdb` into a temporary folder and
 * `postgres` on its own loopback port, run as the `postgres` user when the
 * tests run as root (PostgreSQL refuses root). Each test gets its own database
 * (`freshPostgresDatabase`) on one server per test run: `scripts/run-tests.mjs`
 * starts it and passes its URL in NIMBUS_TEST_POSTGRES_URL; a test file run on
 * its own starts a private one, stopped when its process exits.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freePort } from './free-port.js';

export const POSTGRES_URL_ENV = 'NIMBUS_TEST_POSTGRES_URL';

/** Where `initdb` and `postgres` are: Debian keeps them off PATH, under /usr/lib/postgresql/<major>/bin. */
export function findPostgresBin(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (existsSync(root)) {
    const majors = readdirSync(root).filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a));
    for (const major of majors) {
      const bin = join(root, major, 'bin');
      if (existsSync(join(bin, 'postgres')) && existsSync(join(bin, 'initdb'))) return bin;
    }
  }
  for (const dir of (process.env['PATH'] ?? '').split(':')) {
    if (dir && existsSync(join(dir, 'postgres')) && existsSync(join(dir, 'initdb'))) return dir;
  }
  return undefined;
}

/** Why PostgreSQL tests cannot run here, or undefined when they can. */
export function postgresUnavailable(): string | undefined {
  if (process.env[POSTGRES_URL_ENV]) return undefined;
  return findPostgresBin() ? undefined : 'PostgreSQL is not installed (apt-get install postgresql)';
}

export interface PostgresServer {
  readonly port: number;
  /** A connection URL for `database` (default `postgres`) as the superuser. */
  url(database?: string): string;
  /** Stops the server (fast shutdown); `start` brings the same cluster back on the same port. */
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stops it for good and removes its folder. */
  remove(): Promise<void>;
}

interface RunAs {
  uid: number;
  gid: number;
}

function postgresUser(): RunAs | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const id = (flag: string) => Number(spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' }).stdout.trim());
  const uid = id('-u');
  const gid = id('-g');
  if (!Number.isInteger(uid) || uid <= 0) throw new Error('tests run as root and there is no "postgres" user to run PostgreSQL as');
  return { uid, gid };
}

/** Starts a new, empty PostgreSQL server on a free loopback port. */
export async function startPostgres(options: { settings?: Record<string, string> } = {}): Promise<PostgresServer> {
  const bin = findPostgresBin();
  if (!bin) throw new Error(postgresUnavailable());
  const runAs = postgresUser();
  const dir = mkdtempSync(join(tmpdir(), 'nimbus-pg-'));
  if (runAs) chownSync(dir, runAs.uid, runAs.gid);
  const data = join(dir, 'data');
  const init = spawnSync(join(bin, 'initdb'), ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8', '--locale=C.UTF-8'], {
    encoding: 'utf8', ...(runAs ? { uid: runAs.uid, gid: runAs.gid } : {}),
  });
  if (init.status !== 0) throw new Error(`initdb failed: ${init.stderr || init.stdout}`);
  const port = await freePort();
  const settings: Record<string, string> = {
    listen_addresses: '127.0.0.1',
    unix_socket_directories: dir,
    max_connections: '300',
    // Tests kill nodes, never the machine: the server's own crash safety is not what they test.
    fsync: 'off',
    full_page_writes: 'off',
    ...options.settings,
  };
  let child: ChildProcess | undefined;
  let stderr = '';

  const start = async () => {
    const args = ['-D', data, '-p', String(port), ...Object.entries(settings).flatMap(([k, v]) => ['-c', `${k}=${v}`])];
    stderr = '';
    const proc = spawn(join(bin, 'postgres'), args, { stdio: ['ignore', 'ignore', 'pipe'], ...(runAs ? { uid: runAs.uid, gid: runAs.gid } : {}) });
    proc.stderr?.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-4000);
    });
    child = proc;
    await waitReady(port, proc, () => stderr);
  };
  const stop = async () => {
    const proc = child;
    child = undefined;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
    proc.kill('SIGINT'); // fast shutdown: ends sessions, checkpoints
    await exited;
  };
  // A test process that dies without stopping its server must not leave it running.
  const killOnExit = () => child?.kill('SIGQUIT');
  process.once('exit', killOnExit);
  await start();
  return {
    port,
    url: (database = 'postgres') => `postgres://postgres@127.0.0.1:${port}/${database}`,
    start,
    stop,
    async remove() {
      await stop();
      process.off('exit', killOnExit);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function waitReady(port: number, proc: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (proc.exitCode !== null || proc.signalCode !== null) throw new Error(`postgres exited: ${log()}`);
    const client = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', database: 'postgres' });
    try {
      await client.connect();
      await client.query('SELECT 1');
      await client.end();
      return;
    } catch {
      await client.end().catch(() => {});
      if (Date.now() > deadline) throw new Error(`postgres did not accept connections within 30 s: ${log()}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

let shared: Promise<string> | undefined;

/** The superuser URL of this test run's server (started on first use when the runner did not start one). */
export function sharedPostgresUrl(): Promise<string> {
  shared ??= (async () => {
    const fromRunner = process.env[POSTGRES_URL_ENV];
    if (fromRunner) return fromRunner;
    const server = await startPostgres();
    process.once('beforeExit', () => void server.remove());
    return server.url();
  })();
  return shared;
}

export interface FreshDatabase {
  /** Connection URL of the new database. */
  url: string;
  drop(): Promise<void>;
}

/** A new, empty database on the shared server, for one test. */
export async function freshPostgresDatabase(): Promise<FreshDatabase> {
  const adminUrl = await sharedPostgresUrl();
  const name = `nimbus_t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: adminUrl });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}
