import type { ExecutionContext } from './execution-context.js';
import type { MessageBatch } from './message-batch.js';
import type { ScheduledController } from './scheduled-controller.js';
import type { WorkerEnv } from './worker-env.js';

/** A modules-syntax Worker: the default export's handlers. */
export interface ExportedHandler {
  fetch?(request: Request, env: WorkerEnv, ctx: ExecutionContext): Response | Promise<Response>;
  queue?(batch: MessageBatch, env: WorkerEnv, ctx: ExecutionContext): void | Promise<void>;
  scheduled?(controller: ScheduledController, env: WorkerEnv, ctx: ExecutionContext): void | Promise<void>;
}

export type HandlerName = 'fetch' | 'queue' | 'scheduled';

/**
 * The Worker's handlers from its module namespace. A modules Worker default-exports an
 * object of handlers; a service-worker script (addEventListener('fetch')) exports nothing.
 */
export function workerOf(mod: Record<string, unknown>, main: string): ExportedHandler {
  const exported = mod['default'];
  if (exported === undefined) {
    throw new Error(`${main} has no default export: Nimbus runs modules-syntax Workers (export default { fetch, queue, scheduled }); service-worker scripts (addEventListener('fetch')) are not supported`);
  }
  if (typeof exported === 'function') {
    throw new Error(`${main} default-exports a class or function: Nimbus runs Workers whose default export is an object of handlers (export default { fetch, queue, scheduled })`);
  }
  if (typeof exported !== 'object' || exported === null) throw new Error(`${main}'s default export is not an object of handlers`);
  return exported as ExportedHandler;
}

/** The handler, called as a method of the default export (handlers may use `this`). */
export function handlerOf<K extends HandlerName>(worker: ExportedHandler, name: K, main: string): NonNullable<ExportedHandler[K]> {
  const handler = worker[name];
  if (typeof handler !== 'function') throw new Error(`${main}'s default export has no ${name}() handler, which wrangler's file needs`);
  return handler.bind(worker) as NonNullable<ExportedHandler[K]>;
}
