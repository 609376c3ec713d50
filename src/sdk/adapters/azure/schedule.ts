/**
 * Azure timer schedules: six-field NCRONTAB (`{second} {minute} {hour} {day}
 * {month} {day-of-week}`), which Nimbus's cron reads as it is (seconds
 * first), or a TimeSpan `hh:mm:ss` / `d.hh:mm:ss` (an interval). An interval
 * becomes the cron that fires on the same rhythm when it divides a minute,
 * an hour or a day evenly; Azure counts it from the host's start, Nimbus
 * from the clock's round numbers.
 */
const TIME_SPAN = /^(?:(\d+)\.)?(\d{1,2}):(\d{2}):(\d{2})$/;

export function cronFromSchedule(schedule: string): string {
  const span = TIME_SPAN.exec(schedule.trim());
  if (!span) return schedule.trim();
  const seconds = Number(span[1] ?? 0) * 86400 + Number(span[2]) * 3600 + Number(span[3]) * 60 + Number(span[4]);
  if (seconds > 0 && seconds < 60 && 60 % seconds === 0) return `*/${seconds} * * * * *`;
  if (seconds % 60 === 0 && seconds < 3600 && 60 % (seconds / 60) === 0) return `0 */${seconds / 60} * * * *`;
  if (seconds % 3600 === 0 && seconds < 86400 && 24 % (seconds / 3600) === 0) return `0 0 */${seconds / 3600} * * *`;
  if (seconds === 86400) return '0 0 0 * * *';
  throw new Error(`the TimeSpan schedule "${schedule}" does not divide a minute, an hour or a day evenly; use an NCRONTAB expression`);
}
