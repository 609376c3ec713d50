import { parseCron } from '../../../../triggers/timer/schedule.js';

/** A schedule expression as a Nimbus cron, or the reason it has none. */
export type TranslatedSchedule = { cron: string } | { unsupported: string };

const UNITS: Record<string, 'minute' | 'hour' | 'day'> = {
  minute: 'minute', minutes: 'minute', hour: 'hour', hours: 'hour', day: 'day', days: 'day',
};

/**
 * EventBridge `rate(N unit)` and `cron(min hour dom month dow year)` as a
 * five-field Nimbus cron (always in UTC unless the rule names a zone).
 *
 * A rate runs every N units from when the rule was created; a Nimbus timer
 * follows the clock, so a rate becomes the cron that runs as often, aligned to
 * the clock: only rates that divide their next unit evenly have one.
 */
export function translateSchedule(expression: string): TranslatedSchedule {
  const trimmed = expression.trim();
  const rate = /^rate\(\s*(\d+)\s+([a-z]+)\s*\)$/i.exec(trimmed);
  if (rate) return translateRate(Number(rate[1]), rate[2]!.toLowerCase(), trimmed);
  const cron = /^cron\((.*)\)$/i.exec(trimmed);
  if (cron) return translateCron(cron[1]!.trim(), trimmed);
  return { unsupported: `"${trimmed}" is neither rate(...) nor cron(...)` };
}

function translateRate(value: number, unitWord: string, expression: string): TranslatedSchedule {
  const unit = UNITS[unitWord];
  if (!unit) return { unsupported: `${expression}: unknown unit "${unitWord}" (minute(s), hour(s) or day(s))` };
  if (value < 1) return { unsupported: `${expression}: the rate must be at least 1` };
  if (unit === 'minute') {
    if (value === 1) return { cron: '* * * * *' };
    if (60 % value === 0) return { cron: `*/${value} * * * *` };
    if (value % 60 === 0) return translateRate(value / 60, 'hours', expression);
    return { unsupported: `${expression}: every ${value} minutes from the rule's creation has no clock-aligned cron (Nimbus timers are cron schedules); use a rate that divides 60, or a cron` };
  }
  if (unit === 'hour') {
    if (value === 1) return { cron: '0 * * * *' };
    if (24 % value === 0) return { cron: `0 */${value} * * *` };
    if (value % 24 === 0) return translateRate(value / 24, 'days', expression);
    return { unsupported: `${expression}: every ${value} hours from the rule's creation has no clock-aligned cron (Nimbus timers are cron schedules); use a rate that divides 24, or a cron` };
  }
  if (value === 1) return { cron: '0 0 * * *' };
  return { unsupported: `${expression}: every ${value} days from the rule's creation has no cron equivalent (months differ in length); use a cron` };
}

/**
 * EventBridge's six fields; Nimbus (croner) takes the first five. The year must
 * be `*` (a timer has no year); `?` means any; day-of-week numbers count 1–7
 * from Sunday in EventBridge and 0–6 in cron.
 */
function translateCron(fields: string, expression: string): TranslatedSchedule {
  const parts = fields.split(/\s+/);
  if (parts.length !== 6) return { unsupported: `${expression}: EventBridge cron has six fields (minutes hours day-of-month month day-of-week year), this has ${parts.length}` };
  const [minutes, hours, dayOfMonth, month, dayOfWeek, year] = parts as [string, string, string, string, string, string];
  if (year !== '*') return { unsupported: `${expression}: the year field "${year}" has no Nimbus equivalent (a timer's cron has no year); use * and stop the timer yourself` };
  const anyOf = (field: string): string => (field === '?' ? '*' : field);
  const cron = [
    startedStep(minutes, 59), startedStep(hours, 23), startedStep(anyOf(dayOfMonth), 31), startedStep(month, 12), startedStep(translateDayOfWeek(anyOf(dayOfWeek)), 6),
  ].join(' ');
  try {
    parseCron(cron);
  } catch (err) {
    return { unsupported: `${expression}: translated to "${cron}", which Nimbus cannot schedule (${(err as Error).message})` };
  }
  return { cron };
}

/** `0/15` (from 0, every 15) is `0-59/15` to croner, which takes a step only after `*` or a range. */
function startedStep(field: string, max: number): string {
  return field.split(',').map((part) => part.replace(/^(\d+)\/(\d+)$/, `$1-${max}/$2`)).join(',');
}

/** `1`–`7` (SUN–SAT) to `0`–`6`, in lists, ranges, `#n` and `nL`; names, `*` and steps stay. */
function translateDayOfWeek(field: string): string {
  if (field === '*') return field;
  if (field === 'L') return '6';
  return field.split(',').map((part) => {
    const [range, step] = part.split('/') as [string, string | undefined];
    const [days, nth] = range.split('#') as [string, string | undefined];
    const shifted = days.replace(/\d+/g, (n) => String(Number(n) - 1));
    return `${shifted}${nth === undefined ? '' : `#${nth}`}${step === undefined ? '' : `/${step}`}`;
  }).join(',');
}
