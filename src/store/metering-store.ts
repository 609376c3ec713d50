import type { EncodedBatch } from '../metering/record-batch-codec.js';
import type { Outcome, TriggerTag } from '../runtime/invocation.js';

/**
 * Invocation records and their per-minute roll-ups. Raw records answer
 * "what happened to this call"; roll-ups answer "what did this cost" for far
 * longer than raw records are kept.
 */
export interface InvocationRecord {
  id: string;
  app: string;
  functionName: string;
  version: number;
  trigger: TriggerTag;
  /** Epoch ms when the dispatcher admitted the invocation. */
  admittedAt: number;
  /** Epoch ms when the handler started. */
  startedAt: number;
  /** Handler time in ms (fractional). */
  durationMs: number;
  /** Whole milliseconds billed: the duration rounded up; 0 when the handler never ran. */
  billedMs: number;
  /** Configured memory (MB). */
  memoryMb: number;
  /** memoryMb / 1024 × billedMs / 1000. */
  gbSeconds: number;
  cpuMs: number;
  peakMemoryBytes: number;
  coldStart: boolean;
  coldStartMs: number | null;
  outcome: Outcome;
  error: string | null;
  /** Time spent waiting for downstream budget permits before the start (ms); not billed. */
  budgetWaitMs: number;
}

export interface InvocationRecordQuery {
  app?: string;
  functionName?: string;
  /** Only records with one of these outcomes. */
  outcomes?: readonly Outcome[];
  /** Only records after this one in the newest-first order (the previous page's `next`). */
  before?: RecordPosition;
  /** Newest first, at most this many. */
  limit: number;
}

/**
 * Where a record is kept: its batch (write order) and its place from that
 * batch's newest end, which retention's trimming of a batch's oldest records
 * leaves as it is. Records are listed newest written first.
 */
export interface RecordPosition {
  batch: number;
  fromEnd: number;
}

export interface RecordPage {
  records: InvocationRecord[];
  /** Where the next page starts (its `before`); null when no more records match. */
  next: RecordPosition | null;
}

/** `minute` is for the live charts (`/stats`); the usage API offers the others. */
export type UsageGrouping = 'function' | 'minute' | 'hour' | 'day';

export interface UsageQuery {
  app?: string;
  /** One function of `app`. */
  functionName?: string;
  /** Epoch ms; roll-ups are per minute, so the minute containing `since` is included. */
  since: number;
  by: UsageGrouping;
}

/** The sums every roll-up and usage group carries. */
export interface UsageSums {
  coldStarts: number;
  billedMs: number;
  gbSeconds: number;
  cpuMs: number;
  durationSumMs: number;
  durationMaxMs: number;
  /**
   * Handler durations counted per bucket (src/metering/duration-histogram.ts),
   * DURATION_BUCKET_COUNT long; they add like every other sum. All zero for
   * minutes written by a release before the histogram.
   */
  durationBuckets: number[];
}

/** One group of roll-ups summed up. */
export interface UsageAggregate extends UsageSums {
  /** Set when grouped by function. */
  app: string | null;
  functionName: string | null;
  /** Start of the UTC minute, hour or day (epoch ms) when grouped by time. */
  periodStart: number | null;
  invocations: number;
  /** Invocations whose outcome was not `ok` (throttled ones included). */
  errors: number;
  /** Throttled invocations never ran and are not billed as requests. */
  throttled: number;
}

/** One roll-up row, as kept per app, function and minute. */
export interface MinuteRollup extends UsageSums {
  app: string;
  functionName: string;
  /** Start of the minute (epoch ms). */
  minute: number;
  invocations: number;
  errorsByOutcome: Partial<Record<Exclude<Outcome, 'ok'>, number>>;
}

export interface MeteringRetention {
  /** Raw records older than this (by start time) are deleted. */
  recordMaxAgeMs: number;
  /** At most this many raw records are kept; the oldest go first. */
  recordMaxCount: number;
  /** Roll-ups older than this are deleted. */
  rollupMaxAgeMs: number;
}

export interface SweepResult {
  recordsDeleted: number;
  rollupsDeleted: number;
}

/**
 * One batch of records as a store writes it, made by `meteringBatch`
 * (src/metering/record-batches.ts): everything a backend does with it is storage.
 */
export interface MeteringBatch {
  /** The records, encoded: one stored row (src/metering/record-batch-codec.ts). */
  records: EncodedBatch;
  /** The same records summed per function and minute, to be added to the stored roll-ups. */
  rollups: readonly MinuteRollup[];
}

export interface MeteringStore {
  /**
   * Stores a batch and adds its roll-ups to the stored ones in one
   * transaction; roll-ups are only ever added to (several nodes write the
   * same function and minute). Each record is written once (the recorder
   * never re-sends a batch), so ids are not checked for uniqueness: an index
   * on them would cost every write.
   */
  writeBatch(batch: MeteringBatch): Promise<void>;
  listRecords(query: InvocationRecordQuery): Promise<InvocationRecord[]>;
  /** One page of records, newest first, and where the next one starts. */
  pageRecords(query: InvocationRecordQuery): Promise<RecordPage>;
  listRollups(query: { app?: string; since: number }): Promise<MinuteRollup[]>;
  usage(query: UsageQuery): Promise<UsageAggregate[]>;
  /** Deletes what the retention policy no longer keeps, measured from the store's clock. */
  sweep(retention: MeteringRetention): Promise<SweepResult>;
}
