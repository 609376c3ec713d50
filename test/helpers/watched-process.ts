import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';

export interface Ended {
  code: number | null;
  signal: NodeJS.Signals | null;
}

const WAIT_LIMIT_MS = 60_000;
const POLL_MS = 25;

/**
 * A process that runs until stopped (a node, `npx nimbus start`, a server of the
 * docs), with everything it printed so far. With `group`, it leads a process
 * group of its own, so a signal reaches what it started too (npx's child), as
 * Ctrl+C in a terminal would.
 */
export class WatchedProcess {
  readonly child: ChildProcess;
  stdout = '';
  stderr = '';
  readonly #group: boolean;
  readonly #closed: Promise<Ended>;

  constructor(command: string, args: readonly string[], options: { cwd: string; env: Record<string, string>; group: boolean }) {
    this.#group = options.group;
    this.child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'], detached: options.group });
    this.child.stdout!.setEncoding('utf8').on('data', (c: string) => (this.stdout += c));
    this.child.stderr!.setEncoding('utf8').on('data', (c: string) => (this.stderr += c));
    this.#closed = once(this.child, 'close').then(([code, signal]) => ({ code: code as number | null, signal: signal as NodeJS.Signals | null }));
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Waits (bounded) until standard output matches; fails early if the process exits first. */
  waitForStdout(pattern: RegExp, what = String(pattern), limitMs = WAIT_LIMIT_MS): Promise<RegExpMatchArray> {
    return this.#waitFor(() => pattern.exec(this.stdout), what, limitMs);
  }

  waitForStderr(pattern: RegExp, what = String(pattern), limitMs = WAIT_LIMIT_MS): Promise<RegExpMatchArray> {
    return this.#waitFor(() => pattern.exec(this.stderr), what, limitMs);
  }

  /** Sends `signal` (to the group, with `group`) and waits, bounded, for how the process ended. */
  async signal(signal: NodeJS.Signals, limitMs: number): Promise<Ended> {
    if (this.running || this.#group) this.#send(signal);
    return this.ended(limitMs);
  }

  /** How the process ended, failing after `limitMs`. */
  ended(limitMs: number): Promise<Ended> {
    let timer: NodeJS.Timeout | undefined;
    const limit = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`did not exit within ${limitMs} ms\n${this.transcript()}`)), limitMs);
    });
    return Promise.race([this.#closed, limit]).finally(() => clearTimeout(timer));
  }

  /** For t.after: gone afterwards, whatever state the test left it in. */
  async kill(): Promise<void> {
    // With a group, the whole group, even when its leader is gone: npx's child may not be.
    if (this.running || this.#group) this.#send('SIGKILL');
    await this.#closed;
  }

  transcript(): string {
    return `--- stdout\n${this.stdout}--- stderr\n${this.stderr}`;
  }

  #send(signal: NodeJS.Signals): void {
    if (!this.#group) {
      this.child.kill(signal);
      return;
    }
    if (this.child.pid === undefined) return;
    try {
      process.kill(-this.child.pid, signal);
    } catch {
      // already gone
    }
  }

  async #waitFor<T>(check: () => T | null | undefined, what: string, limitMs: number): Promise<T> {
    const deadline = Date.now() + limitMs;
    for (;;) {
      const found = check();
      if (found) return found;
      if (!this.running) throw new Error(`exited (${this.child.exitCode ?? this.child.signalCode}) before ${what}\n${this.transcript()}`);
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${this.transcript()}`);
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
  }
}
