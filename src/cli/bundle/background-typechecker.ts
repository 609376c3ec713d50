import { Worker } from 'node:worker_threads';
import { CliError } from '../cli-error.js';

export interface CheckRequest {
  id: number;
  appDir: string;
  entry: string;
}

export type CheckReply = { id: number; problems: string[] } | { id: number; error: { message: string; details: string[] } };

/**
 * `nimbus dev`'s type checker: an incremental checker (AppTypeChecker) in a
 * worker thread. The node runs in dev's own process, and a check is
 * synchronous work: on the main thread it would hold up every request the
 * node is serving while it runs. In the worker it runs beside them, and
 * beside esbuild bundling the same save.
 */
export class BackgroundTypeChecker {
  #worker: Worker | undefined;
  readonly #pending = new Map<number, { resolve: (problems: string[]) => void; reject: (err: Error) => void }>();
  #nextId = 1;

  /** Same shape as a TypeCheck: `file:line:col message` per problem. */
  check = (appDir: string, entry: string): Promise<string[]> => {
    const worker = this.#start();
    const id = this.#nextId++;
    return new Promise<string[]>((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      worker.postMessage({ id, appDir, entry } satisfies CheckRequest);
    });
  };

  async close(): Promise<void> {
    const worker = this.#worker;
    this.#worker = undefined;
    if (worker) await worker.terminate();
  }

  #start(): Worker {
    if (this.#worker) return this.#worker;
    const worker = new Worker(new URL('./typecheck-worker.js', import.meta.url));
    // Between checks the worker must not keep dev alive on its own.
    worker.unref();
    worker.on('message', (reply: CheckReply) => {
      const waiter = this.#pending.get(reply.id);
      this.#pending.delete(reply.id);
      if (!waiter) return;
      if ('error' in reply) waiter.reject(new CliError(reply.error.message, reply.error.details));
      else waiter.resolve(reply.problems);
    });
    const failAll = (err: Error): void => {
      this.#worker = undefined;
      for (const waiter of this.#pending.values()) waiter.reject(new CliError(`the type checker stopped: ${err.message}`));
      this.#pending.clear();
    };
    worker.on('error', failAll);
    worker.on('exit', (code) => failAll(new Error(`exit code ${code}`)));
    this.#worker = worker;
    return worker;
  }
}
