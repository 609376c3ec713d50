/**
 * The platform's one retry model, shared by queue, blob, timer and async
 * triggers: exponential backoff with full jitter, capped, then dead-letter.
 */
export interface BackoffSettings {
  initialMs: number;
  maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffSettings = { initialMs: 1_000, maxMs: 60_000 };
/** What a `backoff` setting may hold, in every kind. */
export const BACKOFF_FIELDS: readonly (keyof BackoffSettings)[] = ['initialMs', 'maxMs'];
export const DEFAULT_MAX_ATTEMPTS = 5;

/**
 * Delay before attempt `attempt + 1`, after `attempt` failed attempts (1-based).
 * Full jitter (a random delay up to the exponential bound) keeps many
 * failing messages from retrying in lock-step.
 */
export function backoffDelayMs(attempt: number, backoff: BackoffSettings, random: () => number = Math.random): number {
  const exponent = Math.max(0, attempt - 1);
  const bound = Math.min(backoff.maxMs, backoff.initialMs * 2 ** Math.min(exponent, 30));
  return Math.round(bound / 2 + random() * (bound / 2));
}
