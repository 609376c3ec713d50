import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { WatchedProcess, type Ended } from './watched-process.js';

export interface CommandRun {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/**
 * The environment a user's shell would give a command: this process's, without
 * the NIMBUS_* settings of whoever runs the tests and without the variables npm
 * sets for the script that started them (npm_package_*, npm_lifecycle_*…),
 * which would make a nested npm think it runs inside this repository's script.
 */
export function userEnvironment(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (value === undefined || name.startsWith('NIMBUS_') || name === 'INIT_CWD') continue;
    if (/^npm_/i.test(name) && !/^npm_config_(cache|registry|userconfig|globalconfig|nodedir)$/i.test(name)) continue;
    env[name] = value;
  }
  return { ...env, npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false', ...extra };
}

/** Runs a command to its end (bounded: killed after `timeoutMs`) and collects what it printed. */
export async function runCommand(command: string, args: readonly string[], options: { cwd: string; env: Record<string, string>; timeoutMs: number }): Promise<CommandRun> {
  const started = Date.now();
  const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (c: string) => (stdout += c));
  child.stderr!.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  const timer = setTimeout(() => killGroup(child, 'SIGKILL'), options.timeoutMs);
  const [code] = (await once(child, 'close')) as [number | null];
  clearTimeout(timer);
  if (Date.now() - started >= options.timeoutMs) stderr += `\n(killed after ${options.timeoutMs} ms)`;
  return { code, stdout, stderr, ms: Date.now() - started };
}

/**
 * A command that runs until stopped (`npx nimbus start`), in a process group of its
 * own, so stopping it reaches npx's child as Ctrl+C in a terminal would.
 */
export class LongRunningCommand extends WatchedProcess {
  constructor(command: string, args: readonly string[], options: { cwd: string; env: Record<string, string> }) {
    super(command, args, { ...options, group: true });
  }

  /** Ctrl+C: SIGINT to the whole group, then how the command ended (bounded). */
  interrupt(limitMs = 30_000): Promise<Ended> {
    return this.signal('SIGINT', limitMs);
  }
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}
