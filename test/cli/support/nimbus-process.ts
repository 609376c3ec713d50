import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { NIMBUS_BIN, runNimbus, type CliRun } from './run-cli.js';

const WAIT_LIMIT_MS = 60_000;
const POLL_MS = 25;
/** How long a stopped process gets to exit before the test fails (it drains in-flight work first). */
const EXIT_LIMIT_MS = 30_000;

/**
 * A long-running `nimbus start` or `nimbus dev` as a real child process, with
 * everything it printed so far. Like runNimbus, the environment is PATH plus
 * what the test gives.
 */
export class NimbusProcess {
  readonly child: ChildProcess;
  stdout = '';
  stderr = '';
  readonly #exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  constructor(args: readonly string[], options: { cwd: string; env?: Record<string, string> }) {
    this.child = spawn(process.execPath, [NIMBUS_BIN, ...args], {
      cwd: options.cwd,
      // Basic isolation: these tests are about the CLI; the strict sandbox has its own suite (test/security).
      env: { PATH: process.env['PATH'] ?? '', NIMBUS_LOG_LEVEL: 'warn', NIMBUS_ISOLATION: 'basic', ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child.stdout!.setEncoding('utf8').on('data', (c: string) => (this.stdout += c));
    this.child.stderr!.setEncoding('utf8').on('data', (c: string) => (this.stderr += c));
    this.#exited = once(this.child, 'close').then(([code, signal]) => ({ code: code as number | null, signal: signal as NodeJS.Signals | null }));
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Waits (bounded) until standard output matches; fails early if the process exits first. */
  async waitForStdout(pattern: RegExp, what = String(pattern)): Promise<RegExpMatchArray> {
    return this.#waitFor(() => pattern.exec(this.stdout), what);
  }

  async waitForStderr(pattern: RegExp, what = String(pattern)): Promise<RegExpMatchArray> {
    return this.#waitFor(() => pattern.exec(this.stderr), what);
  }

  /** The URL `start` or `dev` printed once it listens. */
  async url(): Promise<string> {
    const match = await this.waitForStdout(/is running at (http:\/\/\S+)/, 'the node URL');
    return match[1]!;
  }

  /** The admin key `start` or `dev` printed on a first start over a data folder. */
  async adminKey(): Promise<string> {
    const match = await this.waitForStdout(/^Admin key \(.*\): (\S+)$/m, 'the admin key');
    return match[1]!;
  }

  /** Sends a signal and waits (bounded) for the exit code. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    if (this.running) this.child.kill(signal);
    return this.exited();
  }

  exited(): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    let timer: NodeJS.Timeout | undefined;
    const limit = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`nimbus did not exit within ${EXIT_LIMIT_MS} ms\n${this.transcript()}`)), EXIT_LIMIT_MS);
    });
    return Promise.race([this.#exited, limit]).finally(() => clearTimeout(timer));
  }

  /** For t.after: whatever state the test left it in, the process is gone afterwards. */
  async kill(): Promise<void> {
    if (this.running) this.child.kill('SIGKILL');
    await this.#exited;
  }

  transcript(): string {
    return `--- stdout\n${this.stdout}--- stderr\n${this.stderr}`;
  }

  async #waitFor<T>(check: () => T | null | undefined, what: string): Promise<T> {
    const deadline = Date.now() + WAIT_LIMIT_MS;
    for (;;) {
      const found = check();
      if (found) return found;
      if (!this.running) throw new Error(`nimbus exited (${this.child.exitCode ?? this.child.signalCode}) before ${what}\n${this.transcript()}`);
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${this.transcript()}`);
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
  }
}

/** Runs short commands (deploy, ls, invoke…) against one node, with its URL and key in the environment. */
export function nimbusAt(url: string, adminKey: string, cwd: string): (args: readonly string[]) => Promise<CliRun> {
  return (args) => runNimbus(args, { cwd, env: { NIMBUS_URL: url, NIMBUS_ADMIN_KEY: adminKey } });
}

/** Polls until `check` passes (bounded); the last failure's message explains a timeout. */
export async function eventually<T>(what: string, check: () => Promise<T | undefined | false> | T | undefined | false, limitMs = WAIT_LIMIT_MS): Promise<T> {
  const deadline = Date.now() + limitMs;
  let last = '';
  for (;;) {
    try {
      const result = await check();
      if (result !== undefined && result !== false) return result;
    } catch (err) {
      last = (err as Error).message;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${last}` : ''}`);
    await new Promise((r) => setTimeout(r, POLL_MS * 4));
  }
}
