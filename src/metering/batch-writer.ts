import type { Clock, TimerHandle } from '../shared/clock.js';

/** Where pushed items wait; `take` hands over the oldest ones (at most `max`) as the batch to write. */
export interface WriteBuffer<T, B> {
  readonly length: number;
  push(item: T): void;
  take(max: number): B;
}

/** The plain buffer: items are written as they were pushed. */
export class ArrayWriteBuffer<T> implements WriteBuffer<T, T[]> {
  #items: T[] = [];

  get length(): number {
    return this.#items.length;
  }

  push(item: T): void {
    this.#items.push(item);
  }

  take(max: number): T[] {
    if (this.#items.length <= max) {
      const all = this.#items;
      this.#items = [];
      return all;
    }
    return this.#items.splice(0, max);
  }
}

export interface BatchWriterOptions<T, B = T[]> {
  clock: Clock;
  /** Writes one batch; a store does this in one transaction. */
  write: (batch: B) => Promise<void>;
  /** How items wait and what a batch is; default an array of the items. */
  buffer?: WriteBuffer<T, B>;
  /** Longest an item waits in memory before it is written. */
  flushIntervalMs: number;
  /** A buffer this full is written at once (on the next turn of the event loop, not inside push). */
  flushBatchSize: number;
  /** Past this, new items are dropped and counted: memory stays bounded if the store stalls. */
  maxBuffered: number;
  /**
   * At most this many items per write; a bigger backlog is written in slices
   * with a turn of the event loop between them, so a synchronous store never
   * holds requests up for long. Default: flushBatchSize.
   */
  maxWriteSize?: number;
  /** A failed write drops its batch and reports here; the hot path never sees it. */
  onError?: (error: unknown, droppedItems: number) => void;
  /**
   * A failure that passes by itself (the store is unreachable for a while): the
   * batch is kept, in order, and written again every `retryIntervalMs` instead of
   * dropped. Kept batches count against maxBuffered, so memory stays bounded.
   */
  retryable?: (error: unknown) => boolean;
  /** Default 1 s. */
  retryIntervalMs?: number;
}

interface HeldBatch<B> {
  batch: B;
  items: number;
}

/**
 * Collects items pushed on the hot path and writes them in batches, on a
 * timer or when enough have gathered. Writes never overlap.
 */
export class BatchWriter<T, B = T[]> {
  readonly #options: BatchWriterOptions<T, B>;
  readonly #buffer: WriteBuffer<T, B>;
  #timer: TimerHandle | null = null;
  #sizeFlushPending = false;
  #chain: Promise<void> = Promise.resolve();
  #closed = false;
  #dropped = 0;
  /** Batches whose write failed in a way that passes, oldest first. */
  readonly #held: HeldBatch<B>[] = [];
  #heldItems = 0;
  #retryTimer: TimerHandle | null = null;

  constructor(options: BatchWriterOptions<T, B>) {
    for (const field of ['flushIntervalMs', 'flushBatchSize', 'maxBuffered', 'maxWriteSize'] as const) {
      const value = options[field];
      if (value === undefined) continue;
      if (!Number.isFinite(value) || value <= 0) {
        throw new RangeError(`${field} must be a positive number, got ${value}`);
      }
    }
    this.#options = options;
    this.#buffer = options.buffer ?? (new ArrayWriteBuffer<T>() as unknown as WriteBuffer<T, B>);
  }

  /** Items dropped because the buffer was full, the writer closed, or a write failed. */
  get dropped(): number {
    return this.#dropped;
  }

  get buffered(): number {
    return this.#buffer.length + this.#heldItems;
  }

  push(item: T): void {
    if (this.#closed || this.#buffer.length + this.#heldItems >= this.#options.maxBuffered) {
      this.#dropped += 1;
      return;
    }
    this.#buffer.push(item);
    this.#armFor(this.#buffer.length);
  }

  /** Writes everything buffered so far; resolves once it is written (or dropped on failure). */
  flush(): Promise<void> {
    this.#chain = this.#chain.then(() => this.#writeBuffered());
    return this.#chain;
  }

  /** Writes what is buffered; later pushes are dropped. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.flush();
    if (this.#retryTimer !== null) this.#options.clock.clearTimeout(this.#retryTimer);
    this.#retryTimer = null;
    // One last try was made; what still fails is dropped and counted.
    for (const held of this.#held.splice(0)) this.#dropped += held.items;
    this.#heldItems = 0;
  }

  async #writeBuffered(): Promise<void> {
    if (this.#timer !== null) {
      this.#options.clock.clearTimeout(this.#timer);
      this.#timer = null;
    }
    // Older batches first: records reach the store in the order they were made.
    while (this.#held.length > 0) {
      const held = this.#held[0]!;
      try {
        await this.#options.write(held.batch);
      } catch (error) {
        if (this.#holdAgain(error)) return;
        this.#dropped += held.items;
        this.#options.onError?.(error, held.items);
      }
      this.#held.shift();
      this.#heldItems -= held.items;
    }
    const slice = this.#options.maxWriteSize ?? this.#options.flushBatchSize;
    // Only what was buffered when the write began: items pushed while a slow store
    // (one over the network) writes wait for their own timer or size trigger, instead
    // of being chased with a stream of small batches, a transaction each.
    let due = this.#buffer.length;
    while (due > 0 && this.#buffer.length > 0) {
      const waiting = this.#buffer.length;
      const batch = this.#buffer.take(Math.min(slice, due));
      const taken = waiting - this.#buffer.length;
      due -= taken;
      try {
        await this.#options.write(batch);
      } catch (error) {
        if (this.#options.retryable?.(error)) {
          this.#held.push({ batch, items: taken });
          this.#heldItems += taken;
          this.#holdAgain(error);
          return;
        }
        this.#dropped += taken;
        this.#options.onError?.(error, taken);
      }
      if (due > 0) await new Promise((resolve) => setImmediate(resolve));
    }
    // What arrived meanwhile found the timer cleared above and set it, unless it came as one write ended.
    this.#armFor(this.#buffer.length);
  }

  /** Makes sure `waiting` buffered items get written: at once when a batch's worth, else on the interval timer. */
  #armFor(waiting: number): void {
    if (waiting === 0 || this.#closed) return;
    if (waiting >= this.#options.flushBatchSize) {
      if (!this.#sizeFlushPending) {
        this.#sizeFlushPending = true;
        setImmediate(() => {
          this.#sizeFlushPending = false;
          void this.flush();
        });
      }
    } else if (this.#timer === null) {
      this.#timer = this.#options.clock.setTimeout(() => {
        this.#timer = null;
        void this.flush();
      }, this.#options.flushIntervalMs);
      this.#timer.unref();
    }
  }

  /** True when `error` passes by itself: the held batches wait for the next try. */
  #holdAgain(error: unknown): boolean {
    if (!this.#options.retryable?.(error)) return false;
    if (this.#retryTimer === null && !this.#closed) {
      this.#retryTimer = this.#options.clock.setTimeout(() => {
        this.#retryTimer = null;
        void this.flush();
      }, this.#options.retryIntervalMs ?? 1_000);
      this.#retryTimer.unref();
    }
    return true;
  }
}
