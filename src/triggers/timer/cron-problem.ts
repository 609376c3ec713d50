import { cronRefusal } from './schedule.js';

/*
 * What is wrong with a cron pattern, in Nimbus's words. Croner's own messages
 * name its modes and count parts as it does ("exactly five, six, or seven
 * parts", then "mode '5-or-6-parts'"), which contradicts what Nimbus accepts.
 */

const FIVE_FIELDS = ['minute', 'hour', 'day-of-month', 'month', 'day-of-week'] as const;
const SIX_FIELDS = ['second', ...FIVE_FIELDS] as const;
type CronField = (typeof SIX_FIELDS)[number];

const VALUES: Record<CronField, string> = {
  second: '0-59',
  minute: '0-59',
  hour: '0-23',
  'day-of-month': '1-31',
  month: '1-12 or JAN-DEC',
  'day-of-week': '0-7 or SUN-SAT',
};

const SHORTCUTS = ['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly'];
const ACCEPTED = 'use 5 fields (minute hour day-of-month month day-of-week), or 6 with seconds first, e.g. "*/5 * * * *"';
/** Patterns come from the bundle: bounded before they are echoed, as the settings check bounds them. */
const MAX_ECHOED = 80;

/**
 * Why a pattern croner refused is refused, for a deploy's answer. `cron` is
 * as the settings check normalised it: trimmed, single spaces.
 */
export function cronProblem(cron: string): string {
  const quoted = echo(cron);
  if (cron.startsWith('@')) {
    if (cron.toLowerCase() === '@reboot') return `${quoted} is not supported: a timer runs on a schedule; add runOnStartup: true to also run it when a node starts`;
    return `${quoted} is not a shortcut Nimbus knows: use ${SHORTCUTS.join(', ')}, or 5 fields (minute hour day-of-month month day-of-week)`;
  }
  const parts = cron.split(' ');
  if (parts.filter(isWord).length >= 2) return `${quoted} is not a cron pattern: ${ACCEPTED}`;
  if (parts.length === 7) return `${quoted} has 7 fields, and a year field is not supported: ${ACCEPTED}`;
  if (parts.length !== 5 && parts.length !== 6) return `${quoted} is not a cron pattern: ${ACCEPTED}`;
  const fields = parts.length === 5 ? FIVE_FIELDS : SIX_FIELDS;
  // Each field tried alone, the others "*": croner's own account numbers fields its way (seconds first, even in 5).
  for (const [i, field] of fields.entries()) {
    const refusal = cronRefusal(parts.map((part, j) => (j === i ? part : '*')).join(' '));
    if (refusal === null) continue;
    const what = refusal instanceof RangeError ? 'is out of range' : 'is not valid';
    return `${quoted}: ${field} ${echo(parts[i]!)} ${what}: use ${VALUES[field]}, a range (1-5), a list (1,15,30) or a step (*/15)`;
  }
  // Every field passes alone, together they do not: croner's detail is all there is to tell.
  const detail = cronRefusal(cron)?.message.replace(/^CronPattern:\s*/, '') ?? 'refused';
  return `${quoted} is not a valid cron pattern (${detail.slice(0, MAX_ECHOED)}): ${ACCEPTED}`;
}

const NAMES = new Set(['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec', 'sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'l', 'w', 'lw']);

/** A part that is a word but no name a field takes: two of them and the pattern is prose ("every day at 5 pm"), not a mistyped field. */
function isWord(part: string): boolean {
  return /^[a-z]+$/i.test(part) && !NAMES.has(part.toLowerCase());
}

function echo(text: string): string {
  return text.length > MAX_ECHOED ? `${JSON.stringify(text.slice(0, MAX_ECHOED))}…` : JSON.stringify(text);
}
