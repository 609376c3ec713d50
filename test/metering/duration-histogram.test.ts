import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  addDuration, addHistogram, bucketOf, DURATION_BUCKET_BOUNDS, DURATION_BUCKET_COUNT, emptyHistogram, estimatePercentile,
} from '../../src/metering/duration-histogram.js';

/** The exact q-quantile of a sorted sample (nearest rank). */
const exact = (sorted: number[], q: number): number => sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)]!;

test('buckets run from 0.1 ms to 15 min, log-spaced, with one below and one above', () => {
  assert.equal(DURATION_BUCKET_BOUNDS.length, DURATION_BUCKET_COUNT - 1);
  assert.equal(DURATION_BUCKET_BOUNDS[0], 0.1);
  assert.equal(DURATION_BUCKET_BOUNDS.at(-1), 900_000);
  for (let i = 1; i < DURATION_BUCKET_BOUNDS.length; i++) {
    const ratio = DURATION_BUCKET_BOUNDS[i]! / DURATION_BUCKET_BOUNDS[i - 1]!;
    assert.ok(Math.abs(ratio - DURATION_BUCKET_BOUNDS[1]! / DURATION_BUCKET_BOUNDS[0]!) < 1e-9, `bucket ${i} grows by the same factor`);
  }
  assert.equal(bucketOf(0), 0);
  assert.equal(bucketOf(0.05), 0);
  assert.equal(bucketOf(Number.NaN), 0);
  assert.equal(bucketOf(3_600_000), DURATION_BUCKET_COUNT - 1);
  // A bound belongs to the bucket it starts, and just under it to the one before.
  for (let i = 0; i < DURATION_BUCKET_BOUNDS.length; i++) {
    const bound = DURATION_BUCKET_BOUNDS[i]!;
    assert.equal(bucketOf(bound), i + 1, `bound ${bound}`);
    assert.equal(bucketOf(bound * (1 - 1e-12)), i, `just under ${bound}`);
  }
});

test('percentiles are estimated within the bucket they fall in, and bounded by the longest duration', () => {
  // 1,000 durations spread from 0.5 ms to 2 s, log-uniformly: every bucket in between is used.
  const durations = Array.from({ length: 1_000 }, (_, i) => 0.5 * Math.pow(4_000, i / 999));
  const histogram = emptyHistogram();
  for (const d of durations) addDuration(histogram, d);
  for (const q of [0.5, 0.9, 0.99]) {
    const estimate = estimatePercentile(histogram, q, durations.at(-1))!;
    const truth = exact(durations, q);
    // Within the width of the bucket holding the true value (a factor of ~1.7).
    const bucket = bucketOf(truth);
    const lower = bucket === 0 ? 0 : DURATION_BUCKET_BOUNDS[bucket - 1]!;
    const upper = DURATION_BUCKET_BOUNDS[bucket]!;
    assert.ok(estimate >= lower * 0.999 && estimate <= upper * 1.001, `p${q * 100}: ${estimate} is in [${lower}, ${upper}] with ${truth}`);
    assert.ok(Math.abs(Math.log(estimate / truth)) < Math.log(1.71), `p${q * 100}: ${estimate} is near ${truth}`);
  }
  // One duration: every percentile is at most it.
  const single = emptyHistogram();
  addDuration(single, 42);
  assert.equal(estimatePercentile(single, 0.99, 42), 42);
  assert.ok(estimatePercentile(single, 0.5, 42)! <= 42);
  // Past 15 minutes the longest duration seen is the bucket's end.
  const long = emptyHistogram();
  addDuration(long, 1_000_000);
  const p99 = estimatePercentile(long, 0.99, 1_000_000)!;
  assert.ok(p99 > 900_000 && p99 < 1_000_000, String(p99));
  assert.equal(estimatePercentile(long, 1, 1_000_000), 1_000_000);
  assert.equal(estimatePercentile(emptyHistogram(), 0.5), null, 'nothing counted: no estimate');
});

test('histograms add bucket by bucket: the sum of two is the histogram of both', () => {
  const a = emptyHistogram();
  const b = emptyHistogram();
  const both = emptyHistogram();
  for (let i = 0; i < 200; i++) {
    const d = (i * 37) % 500 + 0.3;
    addDuration(i % 3 === 0 ? a : b, d);
    addDuration(both, d);
  }
  const sum = emptyHistogram();
  addHistogram(sum, a);
  addHistogram(sum, b);
  assert.deepEqual(sum, both);
  assert.equal(estimatePercentile(sum, 0.5), estimatePercentile(both, 0.5));
  assert.equal(sum.reduce((n, c) => n + c, 0), 200);
});
