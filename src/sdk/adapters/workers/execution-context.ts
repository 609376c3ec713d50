import type { BaseContext } from '../../context.js';

/** Cloudflare's ExecutionContext, as a Worker's handlers receive it (third argument). */
export interface ExecutionContext {
  /** The answer goes out at once; the invocation lasts until `promise` settles (Nimbus's ctx.waitUntil). */
  waitUntil(promise: Promise<unknown>): void;
  /**
   * On Cloudflare, an exception then forwards the request to the origin server.
   * Nimbus has no origin behind a function: an exception answers as any failed invocation does.
   */
  passThroughOnException(): void;
  /** Set by a service binding's caller on Cloudflare; always empty here. */
  readonly props: Record<string, unknown>;
}

export function executionContext(ctx: BaseContext): ExecutionContext {
  return {
    waitUntil: (promise) => ctx.waitUntil(promise),
    passThroughOnException: () => {},
    props: {},
  };
}
