import type { Outcome } from '../runtime/invocation.js';
import type { MinuteRollup, UsageAggregate, UsageGrouping, UsageSums } from '../store/metering-store.js';
import { addDuration, DURATION_BUCKET_COUNT, emptyHistogram } from './duration-histogram.js';
import { billedMilliseconds, gigabyteSeconds } from './invocation-record.js';
import type { RecordColumns } from './record-columns.js';

export const MINUTE_MS = 60_000;
/** Length of a usage period when usage is grouped by time (UTC hours and days). */
export const USAGE_PERIOD_MS = { minute: 60_000, hour: 3_600_000, day: 86_400_000 } as const satisfies Record<Exclude<UsageGrouping, 'function'>, number>;

export type FailingOutcome = Exclude<Outcome, 'ok'>;
export const FAILING_OUTCOMES: readonly FailingOutcome[] = ['error', 'timeout', 'out-of-memory', 'throttled', 'crashed'];

/** Start of the minute holding `ms`: roll-ups and usage queries both count whole minutes. */
export function minuteOf(ms: number): number {
  return Math.floor(ms / MINUTE_MS) * MINUTE_MS;
}

/**
 * A batch summed per function and minute: each backend adds these to its
 * roll-ups (one upsert per row, not one per record). Billing arithmetic is
 * the one in invocation-record.ts, so every backend bills alike.
 */
export function minuteRollups(columns: RecordColumns): MinuteRollup[] {
  const rollups = new Map<string, MinuteRollup>();
  // Records of one batch mostly share a function and a minute: the roll-up found last is tried first.
  let last: MinuteRollup | undefined;
  let lastKey = -1;
  for (let slot = 0; slot < columns.count; slot++) {
    const keyIndex = columns.keyIndexOf(slot);
    const minute = minuteOf(columns.startedAt(slot));
    let rollup = last;
    if (!rollup || keyIndex !== lastKey || rollup.minute !== minute) {
      const key = columns.keys[keyIndex]!;
      const name = `${key.app}\u0000${key.functionName}\u0000${minute}`;
      rollup = rollups.get(name);
      if (!rollup) {
        rollup = emptyRollup(key.app, key.functionName, minute);
        rollups.set(name, rollup);
      }
      last = rollup;
      lastKey = keyIndex;
    }
    const outcome = columns.outcomeOf(slot);
    const durationMs = columns.durationMs(slot);
    const billedMs = billedMilliseconds(durationMs, outcome);
    rollup.invocations += 1;
    if (outcome !== 'ok') rollup.errorsByOutcome[outcome] = (rollup.errorsByOutcome[outcome] ?? 0) + 1;
    if (columns.coldStartMs(slot) !== null) rollup.coldStarts += 1;
    rollup.billedMs += billedMs;
    rollup.gbSeconds += gigabyteSeconds(columns.keys[keyIndex]!.memoryMb, billedMs);
    rollup.cpuMs += columns.cpuMs(slot);
    rollup.durationSumMs += durationMs;
    if (durationMs > rollup.durationMaxMs) rollup.durationMaxMs = durationMs;
    addDuration(rollup.durationBuckets, durationMs);
  }
  return [...rollups.values()];
}

function emptyRollup(app: string, functionName: string, minute: number): MinuteRollup {
  return {
    app, functionName, minute, invocations: 0, errorsByOutcome: {},
    coldStarts: 0, billedMs: 0, gbSeconds: 0, cpuMs: 0, durationSumMs: 0, durationMaxMs: 0, durationBuckets: emptyHistogram(),
  };
}

/** The column of each duration bucket: one counter each, so histograms add column-wise like the rest. */
export type DurationBucketColumn = `duration_bucket_${string}`;
export const DURATION_BUCKET_COLUMNS: readonly DurationBucketColumn[] = Array.from(
  { length: DURATION_BUCKET_COUNT },
  (_, i): DurationBucketColumn => `duration_bucket_${String(i).padStart(2, '0')}`,
);

/**
 * A roll-up as SQL backends keep it: one counter column per failing outcome
 * (`ok` is invocations minus these) and per duration bucket, so adding a
 * roll-up is column-wise addition.
 */
export interface RollupRow extends DurationBucketCounts {
  app: string;
  function_name: string;
  minute: number;
  invocations: number;
  errors: number;
  timeouts: number;
  out_of_memory: number;
  throttled: number;
  crashed: number;
  cold_starts: number;
  billed_ms: number;
  gb_seconds: number;
  cpu_ms: number;
  duration_sum_ms: number;
  duration_max_ms: number;
}

export type DurationBucketCounts = { [column in DurationBucketColumn]: number };

/** Roll-up column per failing outcome. */
export const OUTCOME_COLUMNS = {
  error: 'errors',
  timeout: 'timeouts',
  'out-of-memory': 'out_of_memory',
  throttled: 'throttled',
  crashed: 'crashed',
} as const satisfies Record<FailingOutcome, keyof RollupRow>;

export function toRollupRow(rollup: MinuteRollup): RollupRow {
  const failures = rollup.errorsByOutcome;
  return {
    app: rollup.app,
    function_name: rollup.functionName,
    minute: rollup.minute,
    invocations: rollup.invocations,
    errors: failures.error ?? 0,
    timeouts: failures.timeout ?? 0,
    out_of_memory: failures['out-of-memory'] ?? 0,
    throttled: failures.throttled ?? 0,
    crashed: failures.crashed ?? 0,
    cold_starts: rollup.coldStarts,
    billed_ms: rollup.billedMs,
    gb_seconds: rollup.gbSeconds,
    cpu_ms: rollup.cpuMs,
    duration_sum_ms: rollup.durationSumMs,
    duration_max_ms: rollup.durationMaxMs,
    ...bucketColumns(rollup.durationBuckets),
  };
}

function bucketColumns(buckets: readonly number[]): DurationBucketCounts {
  const columns = {} as DurationBucketCounts;
  DURATION_BUCKET_COLUMNS.forEach((column, i) => {
    columns[column] = buckets[i] ?? 0;
  });
  return columns;
}

export function fromRollupRow(row: RollupRow): MinuteRollup {
  const errorsByOutcome: MinuteRollup['errorsByOutcome'] = {};
  for (const outcome of FAILING_OUTCOMES) {
    const count = row[OUTCOME_COLUMNS[outcome]];
    if (count > 0) errorsByOutcome[outcome] = count;
  }
  return { app: row.app, functionName: row.function_name, minute: row.minute, invocations: row.invocations, errorsByOutcome, ...sumsOf(row) };
}

/** Roll-up rows summed over one usage group (by function, or by period). */
export interface UsageRow extends Omit<RollupRow, 'minute' | 'app' | 'function_name'> {
  app: string | null;
  function_name: string | null;
  period: number | null;
}

/** A usage group: every failing outcome counts as an error, throttled ones too (they are also counted apart). */
export function fromUsageRow(row: UsageRow): UsageAggregate {
  return {
    app: row.app,
    functionName: row.function_name,
    periodStart: row.period,
    invocations: row.invocations,
    errors: row.errors + row.timeouts + row.out_of_memory + row.throttled + row.crashed,
    throttled: row.throttled,
    ...sumsOf(row),
  };
}

function sumsOf(row: Pick<RollupRow, 'cold_starts' | 'billed_ms' | 'gb_seconds' | 'cpu_ms' | 'duration_sum_ms' | 'duration_max_ms'> & DurationBucketCounts): UsageSums {
  return {
    // SQL sums come back as strings or null from some drivers and groups: counts are plain numbers here.
    durationBuckets: DURATION_BUCKET_COLUMNS.map((column) => Number(row[column] ?? 0)),
    coldStarts: row.cold_starts,
    billedMs: row.billed_ms,
    gbSeconds: row.gb_seconds,
    cpuMs: row.cpu_ms,
    durationSumMs: row.duration_sum_ms,
    durationMaxMs: row.duration_max_ms,
  };
}
