import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ClientReply, LoadResult, ProbeResult } from './messages.js';

const CLIENT_SCRIPT = fileURLToPath(new URL('./load-client-process.js', import.meta.url));

/** The bench's handle on a load-client child process (load-client-process.ts). */
export class LoadClient {
  #nextId = 1;
  readonly #pending = new Map<number, { resolve: (reply: ClientReply) => void; reject: (error: Error) => void }>();

  private constructor(private readonly child: ChildProcess) {
    child.on('message', (reply: ClientReply) => {
      const waiter = this.#pending.get(reply.id);
      this.#pending.delete(reply.id);
      waiter?.resolve(reply);
    });
    child.on('exit', (code) => {
      for (const waiter of this.#pending.values()) waiter.reject(new Error(`the load client exited (code ${code})`));
      this.#pending.clear();
    });
  }

  static async start(): Promise<LoadClient> {
    // A clean argv: the bench may itself run under --cpu-prof, the client must not.
    const child = fork(CLIENT_SCRIPT, [], { execArgv: [], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', reject);
    });
    return new LoadClient(child);
  }

  /** The child's pid, so CPU accounting can leave it out. */
  get pid(): number {
    return this.child.pid ?? -1;
  }

  async load(url: string, connections: number, durationSec: number): Promise<LoadResult> {
    const reply = await this.#ask({ kind: 'load', url, connections, durationSec });
    if (reply.kind !== 'load') throw new Error(reply.kind === 'failure' ? reply.message : `unexpected reply ${reply.kind}`);
    return reply;
  }

  /** One timed request; `freshConnection` opens a new TCP connection for it (counted in the time) instead of reusing one. */
  async probe(url: string, options: { freshConnection?: boolean } = {}): Promise<ProbeResult> {
    const reply = await this.#ask({ kind: 'probe', url, ...(options.freshConnection ? { freshConnection: true } : {}) });
    if (reply.kind !== 'probe') throw new Error(reply.kind === 'failure' ? reply.message : `unexpected reply ${reply.kind}`);
    return reply;
  }

  async close(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.disconnect();
    await exited;
  }

  #ask(message: { kind: 'load'; url: string; connections: number; durationSec: number } | { kind: 'probe'; url: string; freshConnection?: true }): Promise<ClientReply> {
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.child.send({ ...message, id });
    });
  }
}
