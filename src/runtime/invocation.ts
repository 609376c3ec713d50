import type { Readable } from 'node:stream';
import type { TriggerKind } from '../sdk/definition.js';
import type { ErrorCode } from '../shared/errors.js';
import type { Admission } from './event-invoker.js';

/** Which adapter made an invocation. `async` is an HTTP function run from the durable queue. */
export type TriggerTag = TriggerKind | 'async' | 'manual';

/** How an invocation ended; the same words appear in metering and logs. */
export type Outcome = 'ok' | 'error' | 'timeout' | 'out-of-memory' | 'throttled' | 'crashed';

/**
 * What every trigger hands the dispatcher. The runtime sees bytes and a head,
 * never a socket: HTTP, queue, blob and timer adapters differ only in how they
 * fill this in.
 */
export interface Invocation {
  id: string;
  app: string;
  functionName: string;
  /**
   * Pin a version (in-flight work, retries). Without one the app's live version
   * runs, and an invocation still waiting when a newer version goes live moves to it.
   */
  version?: number;
  trigger: TriggerTag;
  /** For HTTP: method, url, headers and route params. For events: empty. */
  head: InvocationHead;
  /** The payload: a stream for HTTP bodies, bytes (JSON) for events. */
  body: Readable | Uint8Array;
  /** W3C traceparent of the caller, if any. */
  traceparent?: string;
  /** Budget permits the trigger took already (EventInvoker.admit). */
  admission?: Admission | undefined;
}

export interface InvocationHead {
  method?: string;
  url?: string;
  headers?: [string, string][];
  params?: Record<string, string>;
}

export interface InvocationResponse {
  status: number;
  /** The handler's own reason phrase, when it set one. */
  statusText?: string | undefined;
  headers: [string, string][];
  /** Bytes when the whole body came at once (the common case), else a stream. */
  body: Readable | Buffer;
}

/** Raised by the dispatcher when an invocation did not produce a response. */
export class InvocationFailure extends Error {
  /**
   * @param code the caller's error code when the outcome alone doesn't say enough
   *   (an instance that broke the host protocol is 'crashed' in metering, NIMBUS_ERR_FUNCTION_PROTOCOL to the caller)
   */
  constructor(
    readonly outcome: Exclude<Outcome, 'ok'>, message: string, readonly retryAfterMs?: number, readonly code?: ErrorCode,
    /** Machine-readable facts for the caller's error body (e.g. `{ budget }`). */
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'InvocationFailure';
  }
}

/**
 * An invocation still waiting for an instance when its version stopped taking
 * work (a deploy, a rollback, a secret change). It never ran: the dispatcher
 * moves it to the live version unless it asked for this one.
 */
export class VersionRetired extends InvocationFailure {
  constructor() {
    super('crashed', 'the function version was retired before it ran');
    this.name = 'VersionRetired';
  }
}
