import { NimbusError } from '../../shared/errors.js';
import { DEFAULT_BACKOFF, DEFAULT_MAX_ATTEMPTS, type BackoffSettings } from '../retry-policy.js';
import { cronProblem } from './cron-problem.js';
import { DEFAULT_TIMEZONE, isValidTimeZone, parseCron, Schedule } from './schedule.js';

/** Upper bound on attempts per scheduled time: a timer is not a queue. */
export const MAX_TIMER_ATTEMPTS = 20;
/** Longest backoff bound accepted, one hour. */
export const MAX_BACKOFF_MS = 3_600_000;
const MAX_CRON_LENGTH = 200;
/** The longest IANA zone name is about 30 characters. */
const MAX_TIMEZONE_LENGTH = 100;

export type CatchUpPolicy = 'skip' | 'once' | 'all';
export type OverlapPolicy = 'skip' | 'queue' | 'allow';

const CATCH_UP_POLICIES: readonly CatchUpPolicy[] = ['skip', 'once', 'all'];
const OVERLAP_POLICIES: readonly OverlapPolicy[] = ['skip', 'queue', 'allow'];

/** A timer's settings with every default applied, as the scheduler runs them. */
export interface ResolvedTimerSettings {
  cron: string;
  timezone: string;
  catchUp: CatchUpPolicy;
  overlap: OverlapPolicy;
  runOnStartup: boolean;
  maxAttempts: number;
  backoff: BackoffSettings;
}

function invalid(field: string, detail: string): NimbusError {
  return new NimbusError('NIMBUS_ERR_DEPLOY_INVALID_DEFINITION', `${field}: ${detail}`, { field });
}

function oneOf<T extends string>(value: unknown, field: string, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
  throw invalid(field, `must be one of ${allowed.map((a) => `'${a}'`).join(', ')}`);
}

function integer(value: unknown, field: string, min: number, max: number, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw invalid(field, `must be a whole number from ${min} to ${max}`);
  }
  return value;
}

/**
 * Checks the timer part of a definition's settings (the general function
 * settings are checked elsewhere) and applies defaults. Used at deploy to
 * refuse an app whose timer could never run as written; the error names the
 * field in its message and in `details.field`.
 */
export function validateTimerSettings(settings: unknown): ResolvedTimerSettings {
  return checkTimerSettings(settings, Date.now()).settings;
}

/** Checked settings, and the schedule's first time after `now`, worked out to show that it fires at all. */
export interface CheckedTimerSettings {
  settings: ResolvedTimerSettings;
  firstAfterNow: number;
}

/** validateTimerSettings with the time it worked out kept: a sync of thousands of new timers would otherwise build each pattern twice. */
export function checkTimerSettings(settings: unknown, now: number): CheckedTimerSettings {
  if (typeof settings !== 'object' || settings === null || Array.isArray(settings)) {
    throw invalid('settings', 'must be an object');
  }
  const s = settings as Record<string, unknown>;

  if (typeof s.cron !== 'string' || s.cron.trim() === '') throw invalid('cron', 'is required, e.g. "*/5 * * * *" or "@hourly"');
  if (s.cron.length > MAX_CRON_LENGTH) throw invalid('cron', `must be at most ${MAX_CRON_LENGTH} characters`);
  const cron = s.cron.trim().replace(/\s+/g, ' ');

  if (s.timezone !== undefined && (typeof s.timezone !== 'string' || s.timezone.length > MAX_TIMEZONE_LENGTH || !isValidTimeZone(s.timezone))) {
    throw invalid('timezone', `${JSON.stringify(s.timezone).slice(0, MAX_TIMEZONE_LENGTH)} is not an IANA time zone, e.g. "Europe/Berlin"`);
  }
  const timezone = (s.timezone as string | undefined) ?? DEFAULT_TIMEZONE;

  try {
    parseCron(cron, timezone);
  } catch {
    throw invalid('cron', cronProblem(cron));
  }
  const firstAfterNow = new Schedule(cron, timezone).nextAfter(now);
  if (firstAfterNow === null) throw invalid('cron', `${JSON.stringify(cron)} never fires`);

  return { settings: { cron, timezone, ...resolvePolicies(s) }, firstAfterNow };
}

/** The settings besides the schedule: what a timer does when it is late, overlaps or fails. */
function resolvePolicies(s: Record<string, unknown>): Omit<ResolvedTimerSettings, 'cron' | 'timezone'> {
  const catchUp = oneOf(s.catchUp, 'catchUp', CATCH_UP_POLICIES, 'once');
  const overlap = oneOf(s.overlap, 'overlap', OVERLAP_POLICIES, 'skip');
  if (s.runOnStartup !== undefined && typeof s.runOnStartup !== 'boolean') throw invalid('runOnStartup', 'must be true or false');
  const maxAttempts = integer(s.maxAttempts, 'maxAttempts', 1, MAX_TIMER_ATTEMPTS, DEFAULT_MAX_ATTEMPTS);

  let backoff = DEFAULT_BACKOFF;
  if (s.backoff !== undefined) {
    if (typeof s.backoff !== 'object' || s.backoff === null || Array.isArray(s.backoff)) throw invalid('backoff', 'must be an object');
    const b = s.backoff as Record<string, unknown>;
    const initialMs = integer(b.initialMs, 'backoff.initialMs', 0, MAX_BACKOFF_MS, DEFAULT_BACKOFF.initialMs);
    const maxMs = integer(b.maxMs, 'backoff.maxMs', 0, MAX_BACKOFF_MS, Math.max(initialMs, DEFAULT_BACKOFF.maxMs));
    if (maxMs < initialMs) throw invalid('backoff.maxMs', 'must not be less than backoff.initialMs');
    backoff = { initialMs, maxMs };
  }
  return { catchUp, overlap, runOnStartup: s.runOnStartup === true, maxAttempts, backoff };
}

/** Every timer setting: what a deploy may give (then refuses any other) and what a stored manifest holds, resolved. */
export const TIMER_TRIGGER_FIELDS: readonly (keyof ResolvedTimerSettings)[] = ['cron', 'timezone', 'catchUp', 'overlap', 'runOnStartup', 'maxAttempts', 'backoff'];
const KNOWN_FIELDS: ReadonlySet<string> = new Set(TIMER_TRIGGER_FIELDS);

/**
 * A timer's settings as a deployed version carries them (resolved, in its
 * manifest) hold only fields this node knows: one it does not (a newer node
 * deployed it) would be ignored if the timer ran here, so the node refuses
 * the settings instead, whether it checks them in full or only their shape.
 */
export function checkKnownTimerFields(settings: unknown): void {
  if (typeof settings !== 'object' || settings === null || Array.isArray(settings)) return;
  for (const field of Object.keys(settings)) {
    if (!KNOWN_FIELDS.has(field)) throw invalid(field, 'is not a timer setting this node knows (deployed from a newer version?)');
  }
}

/**
 * Checks resolved settings a node stored, maybe a node of another version:
 * every field present and known, every policy one this node can apply, the
 * time zone one it knows. Unlike validateTimerSettings it does not parse the
 * cron pattern (the costly part, with thousands of distinct schedules at a
 * start): the node that stored them did, and their next times are stored
 * with them; a pattern this node's parser refused would fail when it next
 * works out a time.
 */
export function checkStoredTimerSettings(settings: unknown): void {
  if (typeof settings !== 'object' || settings === null || Array.isArray(settings)) throw invalid('settings', 'must be an object');
  checkKnownTimerFields(settings);
  const s = settings as Record<string, unknown>;
  for (const field of TIMER_TRIGGER_FIELDS) if (s[field] === undefined) throw invalid(field, 'is missing from the stored settings');
  if (typeof s.cron !== 'string' || s.cron.length > MAX_CRON_LENGTH) throw invalid('cron', 'must be a cron pattern');
  if (typeof s.timezone !== 'string' || s.timezone.length > MAX_TIMEZONE_LENGTH || !isValidTimeZone(s.timezone)) {
    throw invalid('timezone', `${JSON.stringify(s.timezone).slice(0, MAX_TIMEZONE_LENGTH)} is not an IANA time zone this node knows`);
  }
  resolvePolicies(s);
}
