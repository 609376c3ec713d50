import type { HttpHandler, QueueHandler, TimerHandler } from '../../definition.js';
import { executionContext } from './execution-context.js';
import { BatchDecisions } from './message-batch.js';
import { scheduledController } from './scheduled-controller.js';
import { workerEnv, type WorkerBindings } from './worker-env.js';
import { handlerOf, type ExportedHandler } from './worker-module.js';

export interface FetchOptions {
  /**
   * The function has no route (a workers.dev-only Worker): it is reached at
   * `/fn/<app>/<function>/<path>`, and the Worker sees `/<path>`, as it would on workers.dev.
   */
  functionPath?: boolean;
}

/** An HTTP function running the Worker's fetch(request, env, ctx). */
export function fetchHandler(worker: ExportedHandler, main: string, bindings: WorkerBindings, options: FetchOptions = {}): HttpHandler {
  const fetch = handlerOf(worker, 'fetch', main);
  return async (req, ctx) => {
    const request = options.functionPath ? atFunctionPath(req, `/fn/${ctx.app}/${ctx.functionName}`) : req;
    const response: unknown = await fetch(request, workerEnv(ctx, bindings), executionContext(ctx));
    // As workerd answers a fetch handler that resolves to something else.
    if (!(response instanceof Response)) throw new TypeError("Incorrect type for Promise: the Promise did not resolve to 'Response'.");
    return response;
  };
}

/** The request as the Worker would see it on workers.dev: the path after the function's own. */
function atFunctionPath(req: Request, prefix: string): Request {
  const url = new URL(req.url);
  if (!url.pathname.startsWith(prefix)) return req;
  url.pathname = url.pathname.slice(prefix.length) || '/';
  return new Request(url, { method: req.method, headers: req.headers, body: req.body, duplex: 'half' } as RequestInit);
}

/**
 * A queue function running the Worker's queue(batch, env, ctx). Messages
 * retried (or not acknowledged when the handler throws) go back to the queue
 * with their delays; a throw with nothing decided retries the whole batch as
 * a failed invocation.
 */
export function queueHandler(worker: ExportedHandler, main: string, bindings: WorkerBindings): QueueHandler {
  const queue = handlerOf(worker, 'queue', main);
  return async (batch, ctx) => {
    const decisions = new BatchDecisions(batch);
    try {
      await queue(decisions.batch, workerEnv(ctx, bindings), executionContext(ctx));
    } catch (err) {
      if (!decisions.explicit) throw err;
      // What the handler acknowledged before it threw stays acknowledged; the rest is retried.
      console.error(`queue() threw after deciding some messages: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      return decisions.result(true);
    }
    return decisions.result(false);
  };
}

/** A timer function running the Worker's scheduled(controller, env, ctx) for one of its crons. */
export function scheduledHandler(worker: ExportedHandler, main: string, bindings: WorkerBindings, cron: string): TimerHandler {
  const scheduled = handlerOf(worker, 'scheduled', main);
  return async (tick, ctx) => {
    const { controller, retries } = scheduledController(tick, cron);
    try {
      await scheduled(controller, workerEnv(ctx, bindings), executionContext(ctx));
    } catch (err) {
      if (retries()) throw err;
      // noRetry(): the failure is logged and this run is over.
      console.error(`scheduled() failed after noRetry(): ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    }
  };
}
