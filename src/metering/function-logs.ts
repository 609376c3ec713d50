import { isStorageFault } from '../store/storage-errors.js';
import type { FunctionLogLine, InvocationLifecycle } from '../runtime/lifecycle.js';
import type { Clock } from '../shared/clock.js';
import type { LogQuery, LogStore, StoredLogLine } from '../store/log-store.js';
import { BatchWriter } from './batch-writer.js';

/** Short: a tail shows lines when they are written, so they wait at most this long. */
export const DEFAULT_LOG_FLUSH_INTERVAL_MS = 200;
export const DEFAULT_LOG_FLUSH_BATCH_SIZE = 1_000;
export const DEFAULT_MAX_BUFFERED_LOG_LINES = 50_000;

export interface FunctionLogsOptions {
  store: LogStore;
  clock: Clock;
  flushIntervalMs?: number;
  flushBatchSize?: number;
  maxBufferedLines?: number;
  onError?: (error: unknown, context: string) => void;
}

export interface LogTailFilter {
  app: string;
  functionName?: string;
}

export type LogTailListener = (line: StoredLogLine) => void;

/**
 * Function logs: lines from the lifecycle are buffered, stored in batches,
 * and handed to live tails once stored (so each carries its `seq`, and a tail
 * that also read recent lines can skip the ones it already has).
 */
export class FunctionLogs {
  readonly #store: LogStore;
  readonly #writer: BatchWriter<FunctionLogLine>;
  readonly #onError: (error: unknown, context: string) => void;
  readonly #tails = new Set<{ filter: LogTailFilter; listener: LogTailListener }>();
  #detach: (() => void)[] = [];

  constructor(options: FunctionLogsOptions) {
    this.#store = options.store;
    this.#onError = options.onError ?? (() => {});
    this.#writer = new BatchWriter({
      clock: options.clock,
      write: async (batch) => this.#deliver(await this.#store.append(batch)),
      flushIntervalMs: options.flushIntervalMs ?? DEFAULT_LOG_FLUSH_INTERVAL_MS,
      flushBatchSize: options.flushBatchSize ?? DEFAULT_LOG_FLUSH_BATCH_SIZE,
      maxBuffered: options.maxBufferedLines ?? DEFAULT_MAX_BUFFERED_LOG_LINES,
      onError: (error, dropped) => this.#onError(error, `writing ${dropped} function log lines`),
      // An unreachable store (PostgreSQL restarting) holds records until it is back, within maxBuffered.
      retryable: isStorageFault,
    });
  }

  get dropped(): number {
    return this.#writer.dropped;
  }

  get tailCount(): number {
    return this.#tails.size;
  }

  attach(lifecycle: InvocationLifecycle): () => void {
    const off = lifecycle.on('log', (line) => this.#writer.push(line));
    this.#detach.push(off);
    return off;
  }

  /** Lines buffered so far are stored first, so a query sees everything already emitted. */
  async query(query: LogQuery): Promise<StoredLogLine[]> {
    await this.#writer.flush();
    return this.#store.query(query);
  }

  /** Live lines of one app (or one of its functions) as they are stored. Returns unsubscribe. */
  subscribe(filter: LogTailFilter, listener: LogTailListener): () => void {
    const tail = { filter, listener };
    this.#tails.add(tail);
    return () => {
      this.#tails.delete(tail);
    };
  }

  flush(): Promise<void> {
    return this.#writer.flush();
  }

  async close(): Promise<void> {
    for (const off of this.#detach.splice(0)) off();
    await this.#writer.close();
    this.#tails.clear();
  }

  #deliver(lines: StoredLogLine[]): void {
    if (this.#tails.size === 0) return;
    for (const line of lines) {
      for (const { filter, listener } of this.#tails) {
        if (filter.app !== line.app) continue;
        if (filter.functionName !== undefined && filter.functionName !== line.functionName) continue;
        try {
          listener(line);
        } catch (error) {
          this.#onError(error, 'delivering a log line to a tail');
        }
      }
    }
  }
}
