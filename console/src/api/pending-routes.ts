/**
 * PENDING-MERGE: admin API shapes added on branch wt/capi, not yet in
 * src/gateway/admin-routes/. Delete this file at that merge and take the
 * types from the declarations (routes.*) instead; every use is marked
 * `pending-routes` so they are found.
 */
import type { Endpoint, ResponseOf } from './endpoints.js';
import { routes } from './endpoints.js';

/** `{kind:'read'}`: a key that may read the whole admin API and change nothing. */
export type ReadScope = { kind: 'read' };
export type ConsoleScope = ResponseOf<typeof routes.session.whoami>['scope'] | ReadScope;

export interface StatsPoint {
  t: number;
  invocations: number;
  errors: number;
  coldStarts: number;
  p50Ms: number | null;
  p99Ms: number | null;
}
export interface StatsAnswer {
  since: number;
  stepMs: number;
  points: StatsPoint[];
  instances: { t: number; running: number }[];
}
/** `GET /stats?since=1h&app=&fn=`: per-minute figures. */
export const statsEndpoint: Endpoint<never, undefined, StatsAnswer> = { method: 'GET', path: '/stats' };

/** `ok`, `failed`, or one outcome's name. */
export type OutcomeFilter = 'ok' | 'failed' | 'error' | 'timeout' | 'out-of-memory' | 'throttled' | 'crashed';
export interface InvocationRow {
  id: string;
  app: string;
  functionName: string;
  version: number;
  trigger: string;
  startedAt: number;
  durationMs: number;
  billedMs: number;
  coldStart: boolean;
  outcome: string;
  error: string | null;
}
/** `/invocation-records` with `outcome` and `before` (cursor) and a `nextCursor` in the answer. */
export const invocationPage: Endpoint<never, undefined, { records: InvocationRow[]; nextCursor?: string | null }> = {
  method: routes.metering.invocationRecords.method,
  path: routes.metering.invocationRecords.path,
};

/** The lists that gain `limit`/`cursor` paging: their answers gain `nextCursor`. */
export type Paged<T> = T & { nextCursor?: string | null };
