import type { Schedule } from './schedule.js';
import type { CatchUpPolicy } from './timer-settings.js';

/** `catchUp: 'all'` runs at most this many missed times (the newest); older ones are counted as missed. */
export const MAX_CATCH_UP_RUNS = 100;
/** A time fired within this long of its schedule is on time, not past due (event-loop lag, a busy node). */
export const PAST_DUE_GRACE_MS = 1_000;
/** Missed times are counted up to this many; `missed` saturates there. */
export const MISSED_COUNT_LIMIT = 1_000;

export interface Fire {
  scheduledAt: number;
  isPastDue: boolean;
  /** Earlier scheduled times this fire stands for that will not run on their own. */
  missed: number;
  /** Part of a backlog after downtime: such fires run one after another. */
  backlog: boolean;
}

export interface DueDecision {
  fires: Fire[];
  /** A past-due time recorded as skipped, with the reason (catchUp 'skip'). */
  skipped: { scheduledAt: number; reason: string } | null;
  /** The newest scheduled time dealt with: the timer's new cursor. */
  through: number;
}

/**
 * What to do with the scheduled times in (cursor, now]. Normally that is one
 * time, fired on time. After downtime (or a stall longer than the grace)
 * several times have passed and the timer's catch-up policy decides:
 * 'skip' runs none of them, 'once' runs the newest, 'all' runs each (capped).
 */
export function decideDue(schedule: Schedule, cursor: number, now: number, policy: CatchUpPolicy): DueDecision | null {
  const { times, more } = schedule.timesBetween(cursor, now, MISSED_COUNT_LIMIT);
  if (times.length === 0) return null;
  const latest = more ? schedule.previousTimes(now + 1, 1)[0]! : times[times.length - 1]!;
  const total = more ? MISSED_COUNT_LIMIT : times.length;
  const latestOnTime = now - latest <= PAST_DUE_GRACE_MS;

  if (total === 1 && latestOnTime) {
    return { fires: [{ scheduledAt: latest, isPastDue: false, missed: 0, backlog: false }], skipped: null, through: latest };
  }
  switch (policy) {
    case 'skip':
      if (latestOnTime) {
        return { fires: [{ scheduledAt: latest, isPastDue: false, missed: total - 1, backlog: false }], skipped: null, through: latest };
      }
      return {
        fires: [],
        skipped: { scheduledAt: latest, reason: `missed ${total} scheduled time(s) while no node ran this timer (catchUp: skip)` },
        through: latest,
      };
    case 'once':
      return { fires: [{ scheduledAt: latest, isPastDue: !latestOnTime, missed: total - 1, backlog: false }], skipped: null, through: latest };
    case 'all': {
      const backlog = more
        ? schedule.previousTimes(now + 1, MAX_CATCH_UP_RUNS).filter((t) => t > cursor).reverse()
        : times.slice(-MAX_CATCH_UP_RUNS);
      const dropped = total - backlog.length;
      return {
        fires: backlog.map((scheduledAt, i) => ({
          scheduledAt,
          isPastDue: now - scheduledAt > PAST_DUE_GRACE_MS,
          missed: i === 0 ? dropped : 0,
          backlog: true,
        })),
        skipped: null,
        through: latest,
      };
    }
  }
}
