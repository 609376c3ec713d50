/**
 * The wire shapes of the Nimbus HTTP API that the client reads and writes.
 * The server produces exactly these, so both sides import them from here.
 */

export interface SendOptions {
  /** Invisible to consumers for this long (ms). */
  delayMs?: number;
  /** A second send with the same id to the same queue within 5 minutes is dropped (`duplicate: true`). */
  dedupId?: string;
  /** Higher is delivered first; default 0. */
  priority?: number;
}

export interface SendResult {
  id: string;
  /** The dedupId was seen before: nothing new was written and `id` is the original message's. */
  duplicate: boolean;
}

export type InvocationState = 'queued' | 'running' | 'succeeded' | 'failed';

/** What `GET /_nimbus/api/v1/invocations/<id>` answers for an asynchronous invocation. */
export interface InvocationRecord {
  invocationId: string;
  app: string;
  functionName: string;
  state: InvocationState;
  /** Attempts made so far (failed ones and the one running or finished). */
  attempts: number;
  /** The function's response (of the last attempt), once it answered. */
  status: number | null;
  headers: [string, string][] | null;
  bodyBase64: string | null;
  /** Why the last attempt failed, if it did. */
  error: string | null;
  /** Epoch milliseconds. */
  createdAt: number;
  updatedAt: number;
  startedAt: number | null;
  finishedAt: number | null;
  /** The record is deleted after this time. */
  expiresAt: number;
}
