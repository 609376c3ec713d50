import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (bench files compile to dist/bench/…). */
export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const NIMBUS_BIN = join(REPO_ROOT, 'bin', 'nimbus.js');
const WAIT_LIMIT_MS = 120_000;
const POLL_MS = 5;

/**
 * A command run as a user runs it (`nimbus dev`, `npm start`): a real child
 * process in its own process group, with what it printed so far.
 */
export class CliProcess {
  readonly child: ChildProcess;
  output = '';
  readonly exited: Promise<unknown>;

  constructor(command: string, args: readonly string[], options: { cwd: string; env?: Record<string, string> }) {
    this.child = spawn(command, args, { cwd: options.cwd, env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    this.child.stdout!.setEncoding('utf8').on('data', (c: string) => (this.output += c));
    this.child.stderr!.setEncoding('utf8').on('data', (c: string) => (this.output += c));
    this.exited = once(this.child, 'close');
  }

  async waitFor(pattern: RegExp): Promise<RegExpMatchArray> {
    const deadline = Date.now() + WAIT_LIMIT_MS;
    for (;;) {
      const match = pattern.exec(this.output);
      if (match) return match;
      if (this.child.exitCode !== null || Date.now() > deadline) throw new Error(`no ${pattern} in the output of the command:\n${this.output}`);
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
  }

  /** SIGINT to the whole group (npm start runs node under npm), then wait for the exit. */
  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.pid !== undefined) {
      try {
        process.kill(-this.child.pid, 'SIGINT');
      } catch {
        // Already gone.
      }
    }
    await this.exited;
  }
}

/** Polls `url` until its body contains `text`; resolves with the time it took (ms). */
export async function untilAnswer(url: string, text: string, started = performance.now()): Promise<number> {
  const deadline = Date.now() + WAIT_LIMIT_MS;
  for (;;) {
    try {
      const response = await fetch(url);
      if ((await response.text()).includes(text)) return performance.now() - started;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) throw new Error(`${url} never answered with ${text}`);
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}
