import { isStorageFault } from '../store/storage-errors.js';
import type { InvocationEnd, InvocationLifecycle } from '../runtime/lifecycle.js';
import type { Clock, TimerHandle } from '../shared/clock.js';
import type { MeteringRetention, MeteringStore, SweepResult } from '../store/metering-store.js';
import { BatchWriter } from './batch-writer.js';
import { meteringBatch } from './record-batches.js';
import { RecordBuffer } from './record-buffer.js';
import type { RecordColumns } from './record-columns.js';

const DAY_MS = 86_400_000;

export const DEFAULT_RETENTION: MeteringRetention = {
  recordMaxAgeMs: 7 * DAY_MS,
  recordMaxCount: 1_000_000,
  rollupMaxAgeMs: 90 * DAY_MS,
};
export const DEFAULT_RECORD_FLUSH_INTERVAL_MS = 1_000;
export const DEFAULT_RECORD_FLUSH_BATCH_SIZE = 1_000;
/** One write holds the event loop under 1 µs per record (columns, no per-record objects): a slice stays near 1 ms. */
export const RECORD_WRITE_SLICE = 1_000;
/** About 100 MB of records at worst; reached only if the store stalls. */
export const DEFAULT_MAX_BUFFERED_RECORDS = 200_000;
export const DEFAULT_SWEEP_INTERVAL_MS = 60_000;

export interface InvocationRecorderOptions {
  store: MeteringStore;
  clock: Clock;
  flushIntervalMs?: number;
  flushBatchSize?: number;
  maxBufferedRecords?: number;
  retention?: Partial<MeteringRetention>;
  sweepIntervalMs?: number;
  /** Where write and sweep failures go (the platform logger); they never reach an invocation. */
  onError?: (error: unknown, context: string) => void;
}

/**
 * Turns every finished invocation into a record. The lifecycle hook only
 * pushes into memory; records reach the store in batches, one transaction
 * each, and a periodic sweep applies the retention policy.
 */
export class InvocationRecorder {
  readonly #store: MeteringStore;
  readonly #clock: Clock;
  /** Finished invocations wait in columns and are written as columns. */
  readonly #writer: BatchWriter<InvocationEnd, RecordColumns>;
  readonly #retention: MeteringRetention;
  readonly #sweepIntervalMs: number;
  readonly #onError: (error: unknown, context: string) => void;
  #sweepTimer: TimerHandle | null = null;
  #detach: (() => void)[] = [];

  constructor(options: InvocationRecorderOptions) {
    this.#store = options.store;
    this.#clock = options.clock;
    this.#retention = { ...DEFAULT_RETENTION, ...options.retention };
    this.#sweepIntervalMs = options.sweepIntervalMs ?? DEFAULT_SWEEP_INTERVAL_MS;
    this.#onError = options.onError ?? (() => {});
    for (const [field, value] of Object.entries(this.#retention)) {
      if (!Number.isFinite(value) || value < 0) throw new RangeError(`retention.${field} must be 0 or more, got ${value}`);
    }
    this.#writer = new BatchWriter({
      clock: options.clock,
      buffer: new RecordBuffer(),
      write: (batch) => this.#store.writeBatch(meteringBatch(batch)),
      flushIntervalMs: options.flushIntervalMs ?? DEFAULT_RECORD_FLUSH_INTERVAL_MS,
      flushBatchSize: options.flushBatchSize ?? DEFAULT_RECORD_FLUSH_BATCH_SIZE,
      maxWriteSize: RECORD_WRITE_SLICE,
      maxBuffered: options.maxBufferedRecords ?? DEFAULT_MAX_BUFFERED_RECORDS,
      onError: (error, dropped) => this.#onError(error, `writing ${dropped} invocation records`),
      // An unreachable store (PostgreSQL restarting) holds records until it is back, within maxBuffered.
      retryable: isStorageFault,
    });
  }

  /** Records dropped rather than stored (buffer full, write failed, after close). */
  get dropped(): number {
    return this.#writer.dropped;
  }

  /** Listens to `finished` and starts the retention sweep. Returns a detach function. */
  attach(lifecycle: InvocationLifecycle): () => void {
    const off = lifecycle.on('finished', (end) => this.#writer.push(end));
    this.#detach.push(off);
    this.#scheduleSweep();
    return off;
  }

  flush(): Promise<void> {
    return this.#writer.flush();
  }

  /** Flushes, then applies the retention policy now. */
  async sweep(): Promise<SweepResult> {
    await this.flush();
    return this.#store.sweep(this.#retention);
  }

  /** Stops listening and sweeping, and writes what is buffered. */
  async close(): Promise<void> {
    for (const off of this.#detach.splice(0)) off();
    if (this.#sweepTimer !== null) this.#clock.clearTimeout(this.#sweepTimer);
    this.#sweepTimer = null;
    await this.#writer.close();
  }

  #scheduleSweep(): void {
    if (this.#sweepTimer !== null) return;
    this.#sweepTimer = this.#clock.setTimeout(() => {
      this.#sweepTimer = null;
      this.sweep()
        .catch((error: unknown) => this.#onError(error, 'sweeping invocation records'))
        .finally(() => {
          if (this.#detach.length > 0) this.#scheduleSweep();
        });
    }, this.#sweepIntervalMs);
    this.#sweepTimer.unref();
  }
}
