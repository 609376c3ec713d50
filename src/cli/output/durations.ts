const SECOND_MS = 1_000;
const UNITS: readonly (readonly [string, number])[] = [
  ['d', 86_400_000],
  ['h', 3_600_000],
  ['m', 60_000],
  ['s', SECOND_MS],
];

/** `45s`, `3m 20s`, `2h 5m`, `3d 4h`: the two largest units, for ages and spans. */
export function humanDuration(ms: number): string {
  if (ms < SECOND_MS) return `${Math.max(0, Math.round(ms))}ms`;
  const parts: string[] = [];
  let rest = Math.floor(ms);
  for (const [unit, size] of UNITS) {
    const count = Math.floor(rest / size);
    if (count > 0 || parts.length > 0) parts.push(`${count}${unit}`);
    rest -= count * size;
    if (parts.length === 2) break;
  }
  return parts.filter((p, i) => i === 0 || !p.startsWith('0')).join(' ');
}

/** Epoch ms (or an ISO string) as ISO 8601 UTC to the second; `-` for none. */
export function isoTime(time: number | string | null | undefined): string {
  if (time === null || time === undefined) return '-';
  const ms = typeof time === 'number' ? time : Date.parse(time);
  if (!Number.isFinite(ms)) return String(time);
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
