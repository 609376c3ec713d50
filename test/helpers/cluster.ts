import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import { createInterface } from 'node:readline';
import { NIMBUS_BIN } from '../cli/support/run-cli.js';
import { makeTempDir } from './temp-dir.js';

export interface ClusterNodeProcess {
  url: string;
  child: ChildProcess;
  dataDir: string;
}

export interface TestCluster {
  /** Every node's URL, by index (a restarted node keeps its index and data folder; its port may change). */
  urls(): string[];
  /** Shared by every node. */
  adminKey: string;
  node(i: number): ClusterNodeProcess;
  /** Sends `signal` (SIGKILL: no drain, no deregistration) and waits for the process to exit. */
  kill(i: number, signal?: NodeJS.Signals): Promise<number | null>;
  /** Starts node i again on its own data folder (after kill). */
  restart(i: number): Promise<string>;
  /** Stops every node (SIGTERM) and removes the data folders. */
  close(): Promise<void>;
}

export interface ClusterOptions {
  nodes: number;
  /** `--store` for every node, e.g. a fresh PostgreSQL database's URL. */
  store?: string;
  /** `--blobs` for every node. */
  blobs?: string;
  /** More environment for every node (NIMBUS_DEAD_AFTER_MS, AWS_*…). */
  env?: Record<string, string>;
}

/**
 * N real `nimbus start` processes on 127.0.0.1, each with its own data folder
 * and a free port, sharing the store and blob URLs and one admin and master key,
 * as a multi-node deployment runs them.
 */
export async function startCluster(options: ClusterOptions): Promise<TestCluster> {
  const adminKey = `nbk_admin_${randomBytes(16).toString('hex')}`;
  const masterKey = randomBytes(32).toString('hex');
  const folders = Array.from({ length: options.nodes }, () => makeTempDir('nimbus-cluster-'));
  const nodes: (ClusterNodeProcess | undefined)[] = [];

  const launch = async (i: number): Promise<ClusterNodeProcess> => {
    const dataDir = folders[i]!.dir;
    const args = [NIMBUS_BIN, 'start', '--port', '0', '--data', dataDir, '--isolation', 'basic'];
    if (options.store) args.push('--store', options.store);
    if (options.blobs) args.push('--blobs', options.blobs);
    const child = spawn(process.execPath, args, {
      env: {
        ...process.env, NIMBUS_ADMIN_KEY: adminKey, NIMBUS_MASTER_KEY: masterKey, NIMBUS_LOG_LEVEL: 'warn', ...options.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
    const lines = createInterface({ input: child.stdout! });
    const url = await new Promise<string>((resolve, reject) => {
      lines.on('line', (line) => {
        const m = /^Nimbus is running at (\S+)/.exec(line);
        if (m) resolve(m[1]!);
      });
      child.once('exit', (code) => reject(new Error(`node ${i} exited with ${code} before listening:\n${stderr}`)));
    });
    const node = { url, child, dataDir };
    nodes[i] = node;
    return node;
  };

  const kill = async (i: number, signal: NodeJS.Signals = 'SIGKILL'): Promise<number | null> => {
    const node = nodes[i];
    if (!node || node.child.exitCode !== null || node.child.signalCode !== null) return node?.child.exitCode ?? null;
    const exited = once(node.child, 'exit');
    node.child.kill(signal);
    const [code] = (await exited) as [number | null];
    return code;
  };

  try {
    await Promise.all(folders.map((_, i) => launch(i)));
  } catch (err) {
    await Promise.all(folders.map((_, i) => kill(i)));
    for (const f of folders) f.remove();
    throw err;
  }

  return {
    adminKey,
    urls: () => nodes.map((n) => n!.url),
    node: (i) => nodes[i]!,
    kill,
    async restart(i) {
      await kill(i);
      return (await launch(i)).url;
    },
    async close() {
      await Promise.all(folders.map((_, i) => kill(i, 'SIGTERM')));
      for (const f of folders) f.remove();
    },
  };
}
