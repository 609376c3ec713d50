const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;
const RELATIVE = /^(\d{1,9})(s|m|h|d|w)$/;
/** The furthest from 1970 a JavaScript Date reaches, either way. */
const MAX_DATE_MS = 8.64e15;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/**
 * Reads a `--since` value: a span back from now (`30m`, `24h`, `7d`, also `s`
 * and `w`) or an ISO date or date-time (a date alone is midnight UTC).
 * Returns epoch ms; throws a RangeError naming the accepted forms.
 */
export function parseSince(text: string, now: number): number {
  const trimmed = text.trim();
  const relative = RELATIVE.exec(trimmed);
  if (relative) {
    const at = now - Number(relative[1]) * UNIT_MS[relative[2] as keyof typeof UNIT_MS];
    // Past this a time has no date: every later step (ISO strings, buckets) would fail on it.
    if (at < -MAX_DATE_MS) throw new RangeError(`"${text}" reaches back before any date (at most ${Math.floor((now + MAX_DATE_MS) / UNIT_MS.d)} days)`);
    return at;
  }
  if (ISO_DATE.test(trimmed)) {
    const at = Date.parse(trimmed);
    if (Number.isFinite(at)) return at;
  }
  throw new RangeError(`"${text}" is not a time: use a span like 30m, 24h or 7d, or an ISO date like 2026-01-31`);
}
