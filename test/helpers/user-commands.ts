import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';

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
export class LongRunningCommand {
  readonly child: ChildProcess;
  stdout = '';
  stderr = '';
  readonly #closed: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  constructor(command: string, args: readonly string[], options: { cwd: string; env: Record<string, string> }) {
    this.child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    this.child.stdout!.setEncoding('utf8').on('data', (c: string) => (this.stdout += c));
    this.child.stderr!.setEncoding('utf8').on('data', (c: string) => (this.stderr += c));
    this.#closed = once(this.child, 'close').then(([code, signal]) => ({ code: code as number | null, signal: signal as NodeJS.Signals | null }));
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Waits (bounded) until standard output matches; fails early if the command exits first. */
  async waitForStdout(pattern: RegExp, limitMs = 60_000): Promise<RegExpMatchArray> {
    const deadline = Date.now() + limitMs;
    for (;;) {
      const match = pattern.exec(this.stdout);
      if (match) return match;
      if (!this.running) throw new Error(`exited (${this.child.exitCode ?? this.child.signalCode}) before printing ${pattern}\n${this.transcript()}`);
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${pattern}\n${this.transcript()}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  /** Ctrl+C: SIGINT to the whole group, then how the command ended (bounded). */
  async interrupt(limitMs = 30_000): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    killGroup(this.child, 'SIGINT');
    let timer: NodeJS.Timeout | undefined;
    const limit = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`did not exit within ${limitMs} ms of SIGINT\n${this.transcript()}`)), limitMs);
    });
    return Promise.race([this.#closed, limit]).finally(() => clearTimeout(timer));
  }

  /** For t.after: gone afterwards, whatever state the test left it in. */
  async kill(): Promise<void> {
    // The whole group, even when npx itself is gone: its child may not be.
    killGroup(this.child, 'SIGKILL');
    await this.#closed;
  }

  transcript(): string {
    return `--- stdout\n${this.stdout}--- stderr\n${this.stderr}`;
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
