/**
 * Handler durations counted in fixed, log-spaced buckets, so that roll-ups
 * written by several nodes still only add up (bucket counts add) and
 * percentiles can be estimated from any sum of them. Bucket 0 holds
 * durations under 0.1 ms; buckets 1..30 each span a factor of about 1.7 up
 * to 15 minutes; bucket 31 holds anything longer.
 */
export const DURATION_BUCKET_COUNT = 32;
const LOWEST_BOUND_MS = 0.1;
const HIGHEST_BOUND_MS = 15 * 60_000;
const SPANNED_BUCKETS = DURATION_BUCKET_COUNT - 2;
const GROWTH = Math.pow(HIGHEST_BOUND_MS / LOWEST_BOUND_MS, 1 / SPANNED_BUCKETS);

/** Upper bound of each bucket but the last (which has none), in ms; bucket i starts where bucket i-1 ends. */
export const DURATION_BUCKET_BOUNDS: readonly number[] = Array.from({ length: DURATION_BUCKET_COUNT - 1 }, (_, i) =>
  i === SPANNED_BUCKETS ? HIGHEST_BOUND_MS : LOWEST_BOUND_MS * Math.pow(GROWTH, i),
);

/** Counts per bucket, DURATION_BUCKET_COUNT long. */
export type DurationHistogram = number[];

export function emptyHistogram(): DurationHistogram {
  return new Array<number>(DURATION_BUCKET_COUNT).fill(0);
}

/** The bucket a duration falls in: the first whose upper bound is above it. */
export function bucketOf(durationMs: number): number {
  if (!(durationMs >= LOWEST_BOUND_MS)) return 0; // NaN and negatives too: never a real duration, so the lowest bucket.
  let bucket = Math.min(DURATION_BUCKET_COUNT - 1, Math.floor(Math.log(durationMs / LOWEST_BOUND_MS) / Math.log(GROWTH)) + 1);
  // The logarithm may land one off at a bound: step to the bucket the bounds say.
  while (bucket < DURATION_BUCKET_COUNT - 1 && durationMs >= DURATION_BUCKET_BOUNDS[bucket]!) bucket++;
  while (bucket > 0 && durationMs < DURATION_BUCKET_BOUNDS[bucket - 1]!) bucket--;
  return bucket;
}

export function addDuration(histogram: DurationHistogram, durationMs: number): void {
  histogram[bucketOf(durationMs)]! += 1;
}

/** Adds `from` into `into`, bucket by bucket. */
export function addHistogram(into: DurationHistogram, from: readonly number[]): void {
  for (let i = 0; i < DURATION_BUCKET_COUNT; i++) into[i]! += from[i] ?? 0;
}

/**
 * The duration below which a fraction `q` (0..1) of the counted durations
 * fall, interpolated linearly within the bucket it lands in; null when
 * nothing was counted. `maxMs`, the longest duration seen, bounds the
 * estimate (and stands in for the open-ended last bucket's upper bound).
 */
export function estimatePercentile(histogram: readonly number[], q: number, maxMs?: number): number | null {
  let total = 0;
  for (const count of histogram) total += count;
  if (total === 0) return null;
  const rank = Math.min(1, Math.max(0, q)) * total;
  let below = 0;
  for (let bucket = 0; bucket < DURATION_BUCKET_COUNT; bucket++) {
    const count = histogram[bucket] ?? 0;
    if (count === 0 || below + count < rank) {
      below += count;
      continue;
    }
    const lower = bucket === 0 ? 0 : DURATION_BUCKET_BOUNDS[bucket - 1]!;
    const upper = DURATION_BUCKET_BOUNDS[bucket] ?? Math.max(lower, maxMs ?? lower);
    const estimate = lower + ((rank - below) / count) * (upper - lower);
    return maxMs === undefined ? estimate : Math.min(estimate, maxMs);
  }
  return maxMs ?? DURATION_BUCKET_BOUNDS.at(-1)!;
}
