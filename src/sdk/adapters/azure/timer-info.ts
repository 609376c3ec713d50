/** The `Timer` object Azure passes a timer function (types/timer.d.ts), from Nimbus's tick. */
import type { TimerTick } from '../../definition.js';

export interface Timer {
  isPastDue: boolean;
  schedule: { adjustForDST: boolean };
  scheduleStatus: { last: string; next: string; lastUpdated: string };
}

/**
 * Azure's schedule monitor records the last occurrence and the one due next;
 * while an occurrence runs, `next` is that occurrence and `last` the one
 * before it. Nimbus's tick carries the same facts: `scheduledAt` and the
 * previous run's `lastRun` (the first run has none: then both are this one).
 * NCRONTAB schedules adjust for daylight saving time.
 */
export function timerFromTick(tick: TimerTick): Timer {
  const last = tick.lastRun ?? tick.scheduledAt;
  return {
    isPastDue: tick.isPastDue,
    schedule: { adjustForDST: true },
    scheduleStatus: { last: iso(last), next: iso(tick.scheduledAt), lastUpdated: iso(last) },
  };
}

function iso(time: string): string {
  return new Date(time).toISOString();
}
