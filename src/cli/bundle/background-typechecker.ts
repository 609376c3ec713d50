import { fork, type ChildProcess } from 'node:child_process';
import { setPriority } from 'node:os';
import { packagePath } from '../../shared/package-root.js';
import { CliError } from '../cli-error.js';

export interface CheckRequest {
  id: number;
  appDir: string;
  entry: string;
}

export type CheckReply = { id: number; problems: string[] } | { id: number; error: { message: string; details: string[] } };

/**
 * How much lower than the CLI's the checker's scheduling priority is (nice
 * value): on a busy machine a check waits, not the requests the node in this
 * same process serves, nor the instances answering them.
 */
const CHECKER_NICENESS = 10;

/**
 * The type checker of `nimbus deploy`, `start` and `dev`: an incremental
 * checker (AppTypeChecker) in a child process of its own. `start` and `dev`
 * run the node in this process, and a check is seconds of synchronous work
 * the first time: here it would hold up every request the node serves. In a
 * child process at a lower priority it runs beside them, and beside esbuild
 * bundling the same save, and its memory (TypeScript, Node's types) stays out
 * of this process. One checker answers many checks, one at a time, in order.
 */
export class BackgroundTypeChecker {
  #child: ChildProcess | undefined;
  readonly #pending = new Map<number, { resolve: (problems: string[]) => void; reject: (err: Error) => void }>();
  #nextId = 1;

  /** `file:line:col message` per problem; empty when the app is sound. */
  check = (appDir: string, entry: string): Promise<string[]> => {
    const child = this.#start();
    const id = this.#nextId++;
    // While a check is pending the checker keeps this process alive: its answer is awaited.
    child.ref();
    return new Promise<string[]>((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      child.send({ id, appDir, entry } satisfies CheckRequest);
    });
  };

  async close(): Promise<void> {
    const child = this.#child;
    this.#child = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    // Referenced until it is gone: awaiting its exit must not look like nothing left to do.
    child.ref();
    child.kill('SIGKILL');
    await exited;
  }

  #start(): ChildProcess {
    if (this.#child) return this.#child;
    // The compiled file, also from the bundled CLI: a forked checker is a program of its own.
    const child = fork(packagePath('dist', 'src', 'cli', 'bundle', 'typecheck-worker.js'), [], {
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
      serialization: 'advanced',
    });
    try {
      if (child.pid !== undefined) setPriority(child.pid, CHECKER_NICENESS);
    } catch {
      // Not allowed here (a restricted container): the check still runs, at the same priority.
    }
    // Between checks the checker must not keep the CLI alive on its own (only a pending check refs it).
    child.channel?.unref();
    child.on('message', (reply: CheckReply) => {
      const waiter = this.#pending.get(reply.id);
      this.#pending.delete(reply.id);
      if (this.#pending.size === 0) child.unref();
      if (!waiter) return;
      if ('error' in reply) waiter.reject(new CliError(reply.error.message, reply.error.details));
      else waiter.resolve(reply.problems);
    });
    const failAll = (why: string): void => {
      if (this.#child === child) this.#child = undefined;
      for (const waiter of this.#pending.values()) waiter.reject(new CliError(`the type checker stopped: ${why}`));
      this.#pending.clear();
    };
    child.on('error', (err) => failAll(err.message));
    child.on('exit', (code, signal) => failAll(signal ? `signal ${signal}` : `exit code ${code}`));
    this.#child = child;
    return child;
  }
}
