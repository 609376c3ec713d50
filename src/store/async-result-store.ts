import type { InvocationRecord, InvocationState } from '../sdk/client/types.js';

/**
 * The state of asynchronous invocations (an HTTP function run from the
 * durable queue), kept so callers can fetch the outcome later.
 */

/** How long a record is kept after its last change. */
export const ASYNC_RESULT_RETENTION_MS = 24 * 60 * 60_000;

export type { InvocationRecord, InvocationState };

export interface AsyncInvocationKey {
  invocationId: string;
  app: string;
  functionName: string;
}

export interface AsyncResultUpdate {
  state: InvocationState;
  /** Omitted fields keep their value; null clears one. */
  attempts?: number;
  status?: number | null;
  headers?: [string, string][] | null;
  bodyBase64?: string | null;
  error?: string | null;
}

export interface AsyncResultStore {
  /** Records a new invocation as `queued`; resolves once committed. */
  create(key: AsyncInvocationKey): Promise<void>;
  /**
   * Moves an invocation to a new state. Sets `startedAt` on its first `running`,
   * `finishedAt` on `succeeded` or `failed`. Creates the record if it is missing.
   */
  update(key: AsyncInvocationKey, update: AsyncResultUpdate): Promise<void>;
  /** The record, unless it never existed or expired. */
  get(invocationId: string): Promise<InvocationRecord | undefined>;
  remove(invocationId: string): Promise<void>;
  /** Deletes expired records now (writes also sweep now and then); returns how many. */
  purgeExpired(): Promise<number>;
}
