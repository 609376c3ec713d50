import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const FIXTURE = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'run-node.js');

export interface NodeProcess {
  url: string;
  adminKey: string;
  child: ChildProcess;
  /** SIGKILL: no drain, no clean close. */
  kill9(): Promise<void>;
  /** SIGTERM and wait for a clean exit; resolves with the exit code. */
  stop(): Promise<number | null>;
}

/** Starts a node as a separate OS process on an existing data folder. */
export async function startNodeProcess(dataDir: string, env: Record<string, string> = {}): Promise<NodeProcess> {
  const child = spawn(process.execPath, [FIXTURE], {
    env: { ...process.env, NIMBUS_DATA: dataDir, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout! });
  const [line] = (await Promise.race([
    once(lines, 'line'),
    once(child, 'exit').then(([code]) => { throw new Error(`node process exited with ${code} before listening`); }),
  ])) as [string];
  const { url, adminKey } = JSON.parse(line) as { url: string; adminKey: string };
  const exited = once(child, 'exit');
  return {
    url, adminKey, child,
    async kill9() {
      child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      child.kill('SIGTERM');
      const [code] = (await exited) as [number | null];
      return code;
    },
  };
}
