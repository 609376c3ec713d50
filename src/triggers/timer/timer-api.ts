import type { AdminRouter } from '../../gateway/admin-router.js';
import { timerRoutes } from '../../gateway/admin-routes/timers.js';
import { NimbusError } from '../../shared/errors.js';
import type { TimerRun, TimerRunOutcome, TimerRunReason } from '../../store/timer-store.js';
import { TIMER_RUN_HISTORY_LIMIT } from '../../store/timer-store.js';
import { DEFAULT_HISTORY_LIMIT, type TimerScheduler, type TimerStatus } from './scheduler.js';
import { compareParts, pageOf, readPageQuery, type ListOrder } from '../../gateway/list-page.js';

/** As the scheduler lists them: by id (`app/function`), in code units. */
const TIMERS_BY_ID: ListOrder<TimerStatus> = { position: (t) => [`${t.app}/${t.functionName}`], compare: compareParts, shape: ['string'] };

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

/**
 * The timers part of the admin API (routes in gateway/admin-routes/timers.ts):
 *
 *   GET  timers                       every timer, its next times and last run
 *   GET  timers/<app>/<fn>/runs       its run history, newest first (?limit=1..100, default 20)
 *   POST timers/<app>/<fn>/run        run it now (202, the run as claimed)
 */
/** `/timers//cleanup/runs` names no timer. */
function requireNames(params: { app: string; fn: string }): void {
  if (!params.app || !params.fn) throw new NimbusError('NIMBUS_ERR_API_NOT_FOUND');
}

/** `armed`: the API answers about every timer, so it waits until they are armed (moments after start). */
export function addTimerApi(router: AdminRouter, scheduler: TimerScheduler, armed: Promise<void> = Promise.resolve()): void {
  router.add(timerRoutes.list, async ({ query }) => {
    const pageQuery = readPageQuery(query, TIMERS_BY_ID);
    await armed;
    const page = pageOf(await scheduler.list(), pageQuery, TIMERS_BY_ID);
    return { status: 200, body: { timers: page.items.map((t): TimerStatusJson => ({ ...t, lastRun: t.lastRun && timerRunJson(t.lastRun) })), nextCursor: page.nextCursor } };
  });
  router.add(timerRoutes.runs, async ({ params, query }) => {
    requireNames(params);
    await armed;
    const runs = await scheduler.history(params.app, params.fn, parseLimit(query.get('limit')));
    return { status: 200, body: { runs: runs.map(timerRunJson) } };
  });
  router.add(timerRoutes.runNow, async ({ params }) => {
    requireNames(params);
    await armed;
    const run = await scheduler.runNow(params.app, params.fn);
    return { status: 202, body: { run: timerRunJson(run) } };
  });
}
