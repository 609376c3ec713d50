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

/** An async invocation as both stores keep it: one row per invocation. */
export interface AsyncInvocationRow {
  id: string;
  app: string;
  function_name: string;
  state: InvocationRecord['state'];
  attempts: number;
  status: number | null;
  headers: string | null;
  body_base64: string | null;
  error: string | null;
  created_at: number;
  updated_at: number;
  started_at: number | null;
  finished_at: number | null;
  expires_at: number;
}

export function asyncInvocationFromRow(row: AsyncInvocationRow): InvocationRecord {
  return {
    invocationId: row.id,
    app: row.app,
    functionName: row.function_name,
    state: row.state,
    attempts: row.attempts,
    status: row.status,
    headers: row.headers === null ? null : (JSON.parse(row.headers) as [string, string][]),
    bodyBase64: row.body_base64,
    error: row.error,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    expiresAt: row.expires_at,
  };
}

/** The row of an invocation just queued: kept `retentionMs` from `now`. */
export function freshAsyncInvocationRow(key: AsyncInvocationKey, now: number, retentionMs: number): AsyncInvocationRow {
  return {
    id: key.invocationId, app: key.app, function_name: key.functionName, state: 'queued', attempts: 0,
    status: null, headers: null, body_base64: null, error: null,
    created_at: now, updated_at: now, started_at: null, finished_at: null, expires_at: now + retentionMs,
  };
}

/**
 * The row after an update: fields the update leaves undefined keep their value (null clears one); the
 * retention restarts at every update, so a record lives `retentionMs` past its last change.
 */
export function updatedAsyncInvocationRow(row: AsyncInvocationRow, update: AsyncResultUpdate, now: number, retentionMs: number): AsyncInvocationRow {
  const terminal = update.state === 'succeeded' || update.state === 'failed';
  return {
    ...row,
    state: update.state,
    attempts: update.attempts ?? row.attempts,
    status: update.status !== undefined ? update.status : row.status,
    headers: update.headers !== undefined ? (update.headers && JSON.stringify(update.headers)) : row.headers,
    body_base64: update.bodyBase64 !== undefined ? update.bodyBase64 : row.body_base64,
    error: update.error !== undefined ? update.error : row.error,
    updated_at: now,
    started_at: row.started_at ?? (update.state === 'running' ? now : null),
    finished_at: terminal ? now : null,
    expires_at: now + retentionMs,
  };
}
