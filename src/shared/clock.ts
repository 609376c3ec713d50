/**
 * Time source for everything that waits: timers, retries, backoff, idle
 * timeouts, metering. Tests inject a fake clock instead of sleeping.
 */
export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
  /** Monotonic milliseconds, for durations. */
  monotonic(): number;
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

export interface TimerHandle {
  /** Lets the process exit while this timer is pending. */
  unref(): void;
}

/** The longest delay Node's timers hold; past it Node fires after 1 ms instead (with only a warning). */
export const MAX_TIMER_DELAY_MS = 2 ** 31 - 1;

/**
 * A delay Node's timers keep as asked: deploys bound every setting far below
 * the limit, but a value stored before a bound existed must still wait long,
 * not collapse to 1 ms. Not-a-number waits the longest too; negatives are 0.
 */
export function clampTimerDelay(ms: number): number {
  if (Number.isNaN(ms)) return MAX_TIMER_DELAY_MS;
  return Math.min(MAX_TIMER_DELAY_MS, Math.max(0, ms));
}

export const systemClock: Clock = {
  now: () => Date.now(),
  monotonic: () => performance.now(),
  setTimeout: (fn, ms) => setTimeout(fn, clampTimerDelay(ms)),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};
