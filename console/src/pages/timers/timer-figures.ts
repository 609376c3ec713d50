import type { ResponseOf } from '../../api/endpoints.js';
import { routes } from '../../api/endpoints.js';

export type TimerStatus = ResponseOf<typeof routes.timers.list>['timers'][number];
export type TimerRun = ResponseOf<typeof routes.timers.runs>['runs'][number];

/** `2026-03-29T03:00:00+02:00` → `2026-03-29 03:00:00 +02:00`: the time as the timer's zone has it. */
export function zonedText(zoned: string): string {
  return zoned.replace('T', ' ').replace(/(\d)([+-]\d\d:\d\d|Z)$/, '$1 $2');
}

/** How late the run started: firedAt − scheduledAt, or null while it has not fired. */
export function latenessMs(run: TimerRun): number | null {
  if (run.firedAt === null) return null;
  return Date.parse(run.firedAt) - Date.parse(run.scheduledAt);
}

export function timerId(t: { app: string; functionName: string }): string {
  return `${t.app}/${t.functionName}`;
}
