import { isStorageFault } from '../store/storage-errors.js';
import type { FunctionLogLine, InvocationLifecycle } from '../runtime/lifecycle.js';
import type { Clock } from '../shared/clock.js';
import { MAX_LOG_QUERY_LIMIT, type LogQuery, type LogStore, type StoredLogLine } from '../store/log-store.js';
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
  /**
   * When several nodes append to the store: per tailed app, the last `seq`
   * handed to its tails, and the read under way. Lines then reach tails only
   * from the store, in `seq` order, whichever node wrote them.
   */
  readonly #shared: { readonly reads: Map<string, Promise<number>>; stop: () => void } | undefined;

  constructor(options: FunctionLogsOptions) {
    this.#store = options.store;
    this.#onError = options.onError ?? (() => {});
    this.#writer = new BatchWriter({
      clock: options.clock,
      write: async (batch) => {
        const stored = await this.#store.append(batch);
        if (!this.#shared) this.#deliver(stored);
      },
      flushIntervalMs: options.flushIntervalMs ?? DEFAULT_LOG_FLUSH_INTERVAL_MS,
      flushBatchSize: options.flushBatchSize ?? DEFAULT_LOG_FLUSH_BATCH_SIZE,
      maxBuffered: options.maxBufferedLines ?? DEFAULT_MAX_BUFFERED_LOG_LINES,
      onError: (error, dropped) => this.#onError(error, `writing ${dropped} function log lines`),
      // An unreachable store (PostgreSQL restarting) holds records until it is back, within maxBuffered.
      retryable: isStorageFault,
    });
    if (this.#store.onAppended) {
      const reads = new Map<string, Promise<number>>();
      const stop = this.#store.onAppended((app) => {
        for (const tailed of app === null ? [...reads.keys()] : reads.has(app) ? [app] : []) this.#readNew(tailed);
      });
      this.#shared = { reads, stop };
    }
  }

  /** Reads the app's lines after the last one handed out and gives them to its tails; reads of one app run one after another. */
  #readNew(app: string): void {
    const reads = this.#shared!.reads;
    const previous = reads.get(app);
    if (!previous) return;
    reads.set(app, previous.then(async (after) => {
      let last = after;
      try {
        // A query answers the newest lines: past this many between two notices, a tail sees the newest only.
        const lines = await this.#store.query({ app, afterSeq: last, limit: MAX_LOG_QUERY_LIMIT });
        this.#deliver(lines);
        return lines.at(-1)?.seq ?? last;
      } catch (error) {
        // The next notice (or reconnect) reads again from here.
        this.#onError(error, 'reading log lines for a tail');
        return last;
      }
    }));
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
    const reads = this.#shared?.reads;
    if (reads && !reads.has(filter.app)) {
      // From the newest line stored now: older ones are the follower's recent lines, read separately.
      reads.set(filter.app, this.#store.query({ app: filter.app, limit: 1 }).then((lines) => lines.at(-1)?.seq ?? 0, () => 0));
    }
    return () => {
      this.#tails.delete(tail);
      if (reads && ![...this.#tails].some((t) => t.filter.app === filter.app)) reads.delete(filter.app);
    };
  }

  flush(): Promise<void> {
    return this.#writer.flush();
  }

  async close(): Promise<void> {
    for (const off of this.#detach.splice(0)) off();
    await this.#writer.close();
    this.#shared?.stop();
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

