import { parseCron } from '../../../../triggers/timer/schedule.js';

/**
 * A Cloudflare cron (five fields, UTC, Quartz-style extensions) as a Nimbus
 * timer cron. The fields mean the same except the weekday numbers: Cloudflare
 * counts 1–7 from Sunday, Nimbus (croner) 0–6 from Sunday; names (MON, fri)
 * and L, W and # read the same in both. Throws the reason when Nimbus cannot run it.
 */
export function nimbusCron(cron: string): string {
  const fields = cron.trim().split(/\s+/);
  if (fields.length !== 5) throw new Error(`"${cron}" has ${fields.length} fields; Cloudflare crons have five (minute hour day-of-month month weekday)`);
  fields[4] = fields[4]!.split(',').map(shiftWeekdays).join(',');
  const translated = fields.join(' ');
  try {
    parseCron(translated, 'UTC');
  } catch (err) {
    throw new Error(`"${cron}" is not a cron Nimbus can run: ${(err as Error).message}`);
  }
  return translated;
}

/** `2-6` → `1-5`, `6L` → `5L`, `2#1` → `1#1`, `*\/2` unchanged: only weekday numbers move, never steps or nth counts. */
function shiftWeekdays(item: string): string {
  const [range = '', step] = item.split('/');
  const shifted = range.replace(/^(\d+)(?:-(\d+))?/, (_all, from: string, to: string | undefined) => {
    const a = weekday(from, item);
    return to === undefined ? a : `${a}-${weekday(to, item)}`;
  });
  return step === undefined ? shifted : `${shifted}/${step}`;
}

function weekday(value: string, item: string): string {
  const n = Number(value);
  if (n < 1 || n > 7) throw new Error(`weekday "${item}" is outside Cloudflare's 1-7 (1 is Sunday)`);
  return String(n - 1);
}
