export interface CostBoundedCacheOptions {
  /** At most this share of the time goes to computing the value, however often it is read (default 5 %). */
  share?: number;
  /** Answers cheaper than this are never reused: small data stays exact (default 50 ms). */
  reuseFromMs?: number;
  /** Monotonic milliseconds; real time by default (the cost is real CPU, not domain time). */
  now?: () => number;
}

/**
 * One value that is expensive to compute only when there is a lot of data
 * (queue statistics over a million messages). Cheap answers are computed on
 * every read; an answer that took `d` ms is reused for `d / share` ms, so a
 * caller polling every second cannot spend more than `share` of the node's
 * time on it. Concurrent reads share one computation.
 */
export class CostBoundedCache<T> {
  readonly #compute: () => Promise<T>;
  readonly #share: number;
  readonly #reuseFromMs: number;
  readonly #now: () => number;
  #value: { value: T; until: number } | undefined;
  #pending: Promise<T> | undefined;
  #generation = 0;

  constructor(compute: () => Promise<T>, options: CostBoundedCacheOptions = {}) {
    this.#compute = compute;
    this.#share = options.share ?? 0.05;
    this.#reuseFromMs = options.reuseFromMs ?? 50;
    this.#now = options.now ?? (() => performance.now());
  }

  read(): Promise<T> {
    if (this.#value && this.#now() < this.#value.until) return Promise.resolve(this.#value.value);
    return (this.#pending ??= this.#refresh());
  }

  /** After a change the caller made itself (a purge), the next read computes again. */
  invalidate(): void {
    this.#value = undefined;
    this.#generation++;
  }

  async #refresh(): Promise<T> {
    const generation = this.#generation;
    const started = this.#now();
    try {
      const value = await this.#compute();
      const took = this.#now() - started;
      // A computation overtaken by invalidate() answers its own readers but is not kept.
      if (took >= this.#reuseFromMs && generation === this.#generation) this.#value = { value, until: this.#now() + took / this.#share };
      else this.#value = undefined;
      return value;
    } finally {
      this.#pending = undefined;
    }
  }
}
