import { NimbusError } from '../../shared/errors.js';
import type { TimerRun, TimerRunOutcome, TimerRunReason } from '../../store/timer-store.js';
import { TIMER_RUN_HISTORY_LIMIT } from '../../store/timer-store.js';
import { DEFAULT_HISTORY_LIMIT, type TimerScheduler, type TimerStatus } from './scheduler.js';

/**
 * The timers part of the admin API, free of any HTTP framework: the gateway
 * hands over the method, the path segments after the API prefix (decoded),
 * and the query; errors are thrown as NimbusError.
 *
 *   GET  timers                       every timer, its next times and last run
 *   GET  timers/<app>/<fn>/runs       its run history, newest first (?limit=1..100, default 20)
 *   POST timers/<app>/<fn>/run        run it now (202, the run as claimed)
 */
export interface TimerApiResponse {
  status: number;
  body: unknown;
}

export interface TimerRunJson {
  id: number;
  scheduledAt: string;
  reason: TimerRunReason;
  nodeId: string;
  firedAt: string | null;
  finishedAt: string | null;
  attempts: number;
  outcome: TimerRunOutcome;
  error: string | null;
  nextAttemptAt: string | null;
  isPastDue: boolean;
  missed: number;
}

export type TimerStatusJson = Omit<TimerStatus, 'lastRun'> & { lastRun: TimerRunJson | null };

const isoOrNull = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

export function timerRunJson(run: TimerRun): TimerRunJson {
  return {
    id: run.id,
    scheduledAt: new Date(run.scheduledAt).toISOString(),
    reason: run.reason,
    nodeId: run.nodeId,
    firedAt: isoOrNull(run.firedAt),
    finishedAt: isoOrNull(run.finishedAt),
    attempts: run.attempts,
    outcome: run.outcome,
    error: run.error,
    nextAttemptAt: isoOrNull(run.nextAttemptAt),
    isPastDue: run.isPastDue,
    missed: run.missed,
  };
}

function parseLimit(raw: string | null): number {
  if (raw === null) return DEFAULT_HISTORY_LIMIT;
  const limit = /^\d{1,4}$/.test(raw) ? Number(raw) : NaN;
  if (!(limit >= 1 && limit <= TIMER_RUN_HISTORY_LIMIT)) {
    throw new NimbusError('NIMBUS_ERR_BODY_INVALID', `limit: must be a whole number from 1 to ${TIMER_RUN_HISTORY_LIMIT}`, { field: 'limit' });
  }
  return limit;
}

function allow(method: string, allowed: string): void {
  if (method !== allowed) throw new NimbusError('NIMBUS_ERR_METHOD_NOT_ALLOWED', `use ${allowed}`, { allow: [allowed] });
}

export async function handleTimerApi(
  scheduler: TimerScheduler,
  method: string,
  pathParts: readonly string[],
  query: URLSearchParams,
): Promise<TimerApiResponse> {
  const [root, app, functionName, action, ...rest] = pathParts;
  if (root !== 'timers' || rest.length > 0) throw new NimbusError('NIMBUS_ERR_API_NOT_FOUND');

  if (app === undefined) {
    allow(method, 'GET');
    const timers = await scheduler.list();
    return { status: 200, body: { timers: timers.map((t): TimerStatusJson => ({ ...t, lastRun: t.lastRun && timerRunJson(t.lastRun) })) } };
  }
  if (!app || !functionName) throw new NimbusError('NIMBUS_ERR_API_NOT_FOUND');

  if (action === 'runs') {
    allow(method, 'GET');
    const runs = await scheduler.history(app, functionName, parseLimit(query.get('limit')));
    return { status: 200, body: { runs: runs.map(timerRunJson) } };
  }
  if (action === 'run') {
    allow(method, 'POST');
    const run = await scheduler.runNow(app, functionName);
    return { status: 202, body: { run: timerRunJson(run) } };
  }
  throw new NimbusError('NIMBUS_ERR_API_NOT_FOUND');
}
