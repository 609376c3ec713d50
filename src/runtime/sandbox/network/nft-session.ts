import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';

const TOOL_PATH = '/usr/sbin:/usr/bin:/sbin:/bin';
/** How `nft list set` ends its answer: the set's and the table's closing braces. */
const LIST_END = '}\n}\n';

/**
 * One long-lived `nft -i` process, so loading a function's rules at assign
 * costs a write to a pipe instead of starting nft (8–9 ms). Each request is
 * one line (one nft transaction) followed by a `list` of an empty marker set
 * whose answer on stdout says the line before it is done.
 */
export class NftSession {
  readonly #child: ChildProcessWithoutNullStreams;
  readonly #markerCommand: string;
  #marker: string | undefined;
  #stdout = '';
  #stderr = '';
  readonly #waiting: { resolve: () => void; reject: (error: Error) => void; errorsBefore: number }[] = [];
  #closed = false;

  private constructor(child: ChildProcessWithoutNullStreams, markerCommand: string) {
    this.#child = child;
    this.#markerCommand = markerCommand;
    child.stdout.on('data', (chunk: Buffer) => this.#onStdout(chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (this.#stderr += chunk.toString()));
    child.once('exit', () => {
      this.#closed = true;
      for (const waiter of this.#waiting.splice(0)) waiter.reject(new Error(`nft exited: ${this.#stderr.trim()}`));
    });
  }

  /** `markerSet` must already exist (an empty set in the driver's table). */
  static async start(family: string, table: string, markerSet: string): Promise<NftSession> {
    const child = spawn('nft', ['-i'], { stdio: ['pipe', 'pipe', 'pipe'], env: { PATH: TOOL_PATH } });
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', reject);
    });
    const session = new NftSession(child, `list set ${family} ${table} ${markerSet}`);
    await session.run('');
    return session;
  }

  /** Runs `commands` (separated by ';' or newlines) as one transaction; rejects with nft's error. */
  run(commands: string): Promise<void> {
    if (this.#closed) return Promise.reject(new Error('nft session is closed'));
    const line = commands
      .split(/[\n;]+/)
      .map((part) => part.trim())
      .filter(Boolean)
      .join('; ');
    return new Promise<void>((resolve, reject) => {
      this.#waiting.push({ resolve, reject, errorsBefore: this.#stderr.length });
      this.#child.stdin.write(line ? `${line}\n${this.#markerCommand}\n` : `${this.#markerCommand}\n`);
    });
  }

  #onStdout(text: string): void {
    this.#stdout += text;
    for (;;) {
      if (this.#marker === undefined) {
        // The first answer is the bare marker (start() sends nothing else): remember its exact text.
        const end = this.#stdout.indexOf(LIST_END);
        if (end < 0) return;
        this.#marker = this.#stdout.slice(0, end + LIST_END.length);
      }
      const at = this.#stdout.indexOf(this.#marker);
      if (at < 0) return;
      this.#stdout = this.#stdout.slice(at + this.#marker.length);
      const waiter = this.#waiting.shift();
      if (!waiter) return;
      // stderr and stdout are separate pipes: let an error written just before the marker arrive first.
      setImmediate(() => {
        const errors = this.#stderr.slice(waiter.errorsBefore).trim();
        if (errors) waiter.reject(new Error(`nft: ${errors}`));
        else waiter.resolve();
      });
    }
  }

  close(): void {
    if (!this.#closed) this.#child.stdin.end();
  }
}
