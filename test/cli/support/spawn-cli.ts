import { spawn, type ChildProcess } from 'node:child_process';
import { NIMBUS_BIN } from './run-cli.js';

export interface RunningCli {
  child: ChildProcess;
  /** Everything written so far. */
  output(): { stdout: string; stderr: string };
  /** Resolves when the process exits, with its standard output as bytes. */
  exited: Promise<{ code: number | null; stdout: Buffer; stderr: string }>;
}

/**
 * Starts `nimbus ...args` and returns at once: for commands that run until a
 * signal (logs -f), or whose output is binary (blob get).
 */
export function spawnNimbus(args: readonly string[], options: { cwd: string; env?: Record<string, string>; stdin?: string | Uint8Array }): RunningCli {
  const child = spawn(process.execPath, [NIMBUS_BIN, ...args], {
    cwd: options.cwd,
    env: { PATH: process.env['PATH'] ?? '', ...options.env },
    stdio: [options.stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
  });
  // Standard input, when given, is written whole and closed: the command reads to its end.
  if (options.stdin !== undefined) child.stdin!.end(options.stdin);
  const stdout: Buffer[] = [];
  let stderr = '';
  child.stdout!.on('data', (c: Buffer) => stdout.push(c));
  child.stderr!.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  const exited = new Promise<{ code: number | null; stdout: Buffer; stderr: string }>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout: Buffer.concat(stdout), stderr }));
  });
  return { child, output: () => ({ stdout: Buffer.concat(stdout).toString('utf8'), stderr }), exited };
}
