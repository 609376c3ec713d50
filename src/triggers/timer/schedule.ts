import { Cron } from 'croner';

/**
 * A timer's schedule: when it fires, computed by croner (never by a parser of
 * our own). Times are epoch milliseconds; zones are IANA names.
 *
 * DST, as croner schedules it (Vixie cron's rule, see docs/timers.md):
 * - a fixed time (one value each in seconds, minutes, hours, e.g. `30 2 * * *`)
 *   that falls in a spring-forward gap runs once, at the first valid instant
 *   after the gap (03:00 local); one that occurs twice on a fall-back day runs
 *   once, at its first occurrence;
 * - an interval schedule (wildcard, step, list or range in those fields) skips
 *   the times in a gap and runs on both passes through a repeated hour.
 */

/** croner builds a 10 000-entry year table per pattern (~80 kB), so patterns are cached, not kept per timer. */
const PATTERN_CACHE_SIZE = 64;

/** Seconds first when six fields; croner's seventh (year) field is refused. */
const CRON_MODE = '5-or-6-parts';

export const DEFAULT_TIMEZONE = 'UTC';

const patternCache = new Map<string, Cron>();

/** What a built pattern is known by: the same for every timer with this schedule. */
export function patternKey(cron: string, timezone: string): string {
  return `${timezone} ${cron}`;
}

function pattern(cron: string, timezone: string): Cron {
  const key = patternKey(cron, timezone);
  let cached = patternCache.get(key);
  if (cached) {
    // Map iteration order is insertion order: re-inserting marks it most recently used.
    patternCache.delete(key);
  } else {
    cached = new Cron(cron, { timezone, mode: CRON_MODE, paused: true });
    if (patternCache.size >= PATTERN_CACHE_SIZE) {
      const oldest = patternCache.keys().next().value;
      if (oldest !== undefined) patternCache.delete(oldest);
    }
  }
  patternCache.set(key, cached);
  return cached;
}

/**
 * Next times for many timers in one pass (a sync), taken in pattern order:
 * each pattern is built once and held only until the next one, outside the
 * shared cache. Kept there, thousands of distinct patterns would each live
 * long enough to be promoted to the old generation and cost a full
 * collection; here each dies young.
 */
export class PatternScan {
  #key = '';
  #pattern: Cron | null = null;

  nextAfter(cron: string, timezone: string, afterMs: number): number | null {
    const key = patternKey(cron, timezone);
    if (key !== this.#key || !this.#pattern) {
      this.#pattern = patternCache.get(key) ?? new Cron(cron, { timezone, mode: CRON_MODE, paused: true });
      this.#key = key;
    }
    const next = this.#pattern.nextRun(new Date(afterMs));
    return next ? next.getTime() : null;
  }
}

/** Throws croner's own message when the expression is not a valid 5- or 6-field pattern or shortcut. */
export function parseCron(cron: string, timezone: string = DEFAULT_TIMEZONE): void {
  pattern(cron, timezone);
}

/**
 * Croner's refusal of a pattern, or null when it takes it. Built outside the
 * cache: the patterns tried while explaining a refusal are ones no timer runs on.
 */
export function cronRefusal(cron: string): Error | null {
  try {
    new Cron(cron, { timezone: DEFAULT_TIMEZONE, mode: CRON_MODE, paused: true });
    return null;
  } catch (err) {
    return err instanceof Error ? err : new Error(String(err));
  }
}

/**
 * Zones found valid: asking Intl costs ~0.1 ms, and a start re-checks every stored timer (most in the same few zones).
 * The default zone is known from the outset: the first question to Intl loads its zone data, ~15 ms of a start that
 * checks the stored timers (their next times are stored, so nothing else there needs Intl).
 */
const validZones = new Set<string>([DEFAULT_TIMEZONE]);
const VALID_ZONES_KEPT = 1024;

export function isValidTimeZone(timezone: string): boolean {
  if (validZones.has(timezone)) return true;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: timezone });
  } catch {
    return false;
  }
  if (validZones.size < VALID_ZONES_KEPT) validZones.add(timezone);
  return true;
}

export class Schedule {
  constructor(readonly cron: string, readonly timezone: string = DEFAULT_TIMEZONE) {}

  /** The first scheduled time strictly after `afterMs`, or null if the pattern never fires again. */
  nextAfter(afterMs: number): number | null {
    const next = pattern(this.cron, this.timezone).nextRun(new Date(afterMs));
    return next ? next.getTime() : null;
  }

  /** The next `count` scheduled times strictly after `afterMs`. */
  nextTimes(afterMs: number, count: number): number[] {
    return pattern(this.cron, this.timezone)
      .nextRuns(count, new Date(afterMs))
      .map((d) => d.getTime());
  }

  /** The `count` scheduled times strictly before `beforeMs`, newest first. */
  previousTimes(beforeMs: number, count: number): number[] {
    return pattern(this.cron, this.timezone)
      .previousRuns(count, new Date(beforeMs))
      .map((d) => d.getTime());
  }

  /**
   * Scheduled times in (afterMs, untilMs], oldest first, at most `limit`
   * of them; `more` tells whether times were left out past the limit.
   */
  timesBetween(afterMs: number, untilMs: number, limit: number): { times: number[]; more: boolean } {
    const times: number[] = [];
    let cursor = afterMs;
    for (;;) {
      const next = this.nextAfter(cursor);
      if (next === null || next > untilMs) return { times, more: false };
      if (times.length === limit) return { times, more: true };
      times.push(next);
      cursor = next;
    }
  }
}

const zoneFormats = new Map<string, Intl.DateTimeFormat>();

function zoneFormat(timezone: string): Intl.DateTimeFormat {
  let format = zoneFormats.get(timezone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: timezone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      timeZoneName: 'longOffset',
    });
    zoneFormats.set(timezone, format);
  }
  return format;
}

/** ISO 8601 with the zone's offset at that instant, e.g. `2026-03-29T03:00:00+02:00`. */
export function formatInZone(epochMs: number, timezone: string): string {
  const parts: Record<string, string> = {};
  for (const part of zoneFormat(timezone).formatToParts(new Date(epochMs))) parts[part.type] = part.value;
  // longOffset reads "GMT+02:00", or plain "GMT" at offset zero.
  const offset = (parts.timeZoneName ?? 'GMT').slice(3) || '+00:00';
  const ms = epochMs % 1000 === 0 ? '' : `.${String(((epochMs % 1000) + 1000) % 1000).padStart(3, '0')}`;
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}:${parts.second}${ms}${offset}`;
}
