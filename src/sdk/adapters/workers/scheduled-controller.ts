import type { TimerTick } from '../../definition.js';

/** What a Worker's scheduled() handler gets first. */
export interface ScheduledController {
  /** Epoch ms of the time the cron named (not when it ran). */
  readonly scheduledTime: number;
  /** The cron expression as written in wrangler's `triggers.crons`. */
  readonly cron: string;
  /** Do not retry this run if it fails. */
  noRetry(): void;
}

export function scheduledController(tick: TimerTick, cron: string): { controller: ScheduledController; retries: () => boolean } {
  let retry = true;
  return {
    controller: {
      scheduledTime: Date.parse(tick.scheduledAt),
      cron,
      noRetry: () => {
        retry = false;
      },
    },
    retries: () => retry,
  };
}
