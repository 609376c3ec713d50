import type { Clock, TimerHandle } from '../shared/clock.js';
import { AdaptiveLimit, type LimitChange } from './adaptive-limit.js';
import type { BudgetRate, BudgetSettings, BudgetState } from './budget.js';
import { FairQueue, type FairWaiter } from './fair-queue.js';
import { TokenBucket } from './token-bucket.js';

/** A wait that ended without a permit: `timeout` (HTTP's queueTimeoutMs) or `aborted` (shutdown, a caller gone, the budget removed). */
export class BudgetWaitEnded extends Error {
  constructor(readonly budget: string, readonly reason: 'timeout' | 'aborted' | 'removed', message: string) {
    super(message);
    this.name = 'BudgetWaitEnded';
  }
}

interface Waiter extends FairWaiter {
  resolve(): void;
  reject(error: BudgetWaitEnded): void;
  timer: TimerHandle | null;
}

export interface WaitOptions {
  /** Give up after this long (ms); absent: wait until granted or aborted. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

/**
 * One budget on this node: at most `limit` holders at once (the concurrency,
 * or the adaptive limit now), at most `rate` starts per second, and a fair
 * queue of waiters. Taking a permit when one is free costs a few compares
 * and no allocation; only waiting allocates.
 */
export class BudgetLimiter {
  readonly name: string;
  #settings: BudgetSettings;
  readonly #clock: Clock;
  readonly #onLimitChange: (budget: string, change: LimitChange) => void;
  /** Told when a waiter queues while this node's share is what stops it (cluster mode asks for more at once). */
  #onStarved: ((limiter: BudgetLimiter) => void) | null = null;
  /** Cluster mode: this node's part of the rate (0..1); 1 alone. */
  #rateShare = 1;
  #bucket: TokenBucket | null;
  #adaptive: AdaptiveLimit | null;
  /** Holders now (permits taken on this node). */
  #inUse = 0;
  /** Cluster mode: how many of the limit this node may use (set by the lease keeper); Infinity alone. */
  #share = Number.POSITIVE_INFINITY;
  readonly #waiters = new FairQueue<Waiter>();
  #wake: TimerHandle | null = null;
  #throttled = 0;

  constructor(settings: BudgetSettings, clock: Clock, onLimitChange: (budget: string, change: LimitChange) => void = () => {}) {
    this.name = settings.name;
    this.#settings = settings;
    this.#clock = clock;
    this.#onLimitChange = onLimitChange;
    this.#bucket = settings.rate ? new TokenBucket(settings.rate, clock.monotonic()) : null;
    this.#adaptive = settings.adaptive ? new AdaptiveLimit(settings.adaptive) : null;
  }

  get settings(): BudgetSettings {
    return this.#settings;
  }

  /** The limit in force for the whole budget (all nodes): the concurrency, or the adaptive limit now. */
  get limit(): number {
    return this.#adaptive ? this.#adaptive.limit : this.#settings.concurrency;
  }

  /** What this node may hold at once: the limit, or its share of it in a cluster. */
  get capacity(): number {
    return Math.min(this.limit, this.#share);
  }

  get inUse(): number {
    return this.#inUse;
  }

  get waiting(): number {
    return this.#waiters.size;
  }

  get throttled(): number {
    return this.#throttled;
  }

  state(): BudgetState {
    return { name: this.name, limit: this.limit, inUse: this.#inUse, waiting: this.#waiters.size, throttled: this.#throttled };
  }

  /** New settings in place: holders keep their permits; waiters are served as the new limit allows. */
  configure(settings: BudgetSettings): void {
    this.#settings = settings;
    const now = this.#clock.monotonic();
    if (!settings.rate) this.#bucket = null;
    else if (this.#bucket) this.#bucket.configure(this.#sharedRate(settings.rate), now);
    else this.#bucket = new TokenBucket(this.#sharedRate(settings.rate), now);
    if (!settings.adaptive) this.#adaptive = null;
    else if (this.#adaptive) this.#report(this.#adaptive.configure(settings.adaptive));
    else this.#adaptive = new AdaptiveLimit(settings.adaptive);
    this.#pump();
  }

  /**
   * Cluster mode: this node's share of the budget changed (a lease was
   * granted, renewed or lost): `permits` of the limit, `rateShare` (0..1) of
   * the rate. Holders above a lowered share keep their permits; new ones wait.
   */
  setShare(permits: number, rateShare = 1): void {
    this.#share = permits;
    if (rateShare !== this.#rateShare) {
      this.#rateShare = rateShare;
      if (this.#settings.rate && this.#bucket) this.#bucket.configure(this.#sharedRate(this.#settings.rate), this.#clock.monotonic());
    }
    this.#pump();
  }

  /** This node's share of the limit now (Infinity when it has all of it). */
  get share(): number {
    return this.#share;
  }

  get rateShare(): number {
    return this.#rateShare;
  }

  onStarved(listener: ((limiter: BudgetLimiter) => void) | null): void {
    this.#onStarved = listener;
  }

  /** Takes a permit if one is free now and nobody waits ahead (waiters are served first). */
  tryTake(): boolean {
    if (this.#waiters.size > 0 || this.#inUse >= this.capacity) return false;
    if (this.#bucket !== null && !this.#bucket.take(this.#clock.monotonic())) return false;
    this.#inUse++;
    return true;
  }

  /** Waits in the fair queue for a permit; resolves holding it. */
  wait(owner: string, priority: number, options: WaitOptions = {}): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (options.signal?.aborted) {
        reject(new BudgetWaitEnded(this.name, 'aborted', `stopped waiting for budget "${this.name}"`));
        return;
      }
      const waiter: Waiter = { owner, priority, resolve, reject, timer: null };
      const onAbort = (): void => {
        if (!this.#waiters.remove(waiter)) return;
        if (waiter.timer) this.#clock.clearTimeout(waiter.timer);
        reject(new BudgetWaitEnded(this.name, 'aborted', `stopped waiting for budget "${this.name}"`));
      };
      if (options.timeoutMs !== undefined) {
        waiter.timer = this.#clock.setTimeout(() => {
          if (!this.#waiters.remove(waiter)) return;
          options.signal?.removeEventListener('abort', onAbort);
          this.#throttled++;
          reject(new BudgetWaitEnded(this.name, 'timeout', `budget "${this.name}" had no free permit within ${options.timeoutMs} ms (limit ${this.limit}, ${this.#inUse} in use, ${this.#waiters.size} waiting)`));
        }, options.timeoutMs);
      }
      if (options.signal) {
        options.signal.addEventListener('abort', onAbort, { once: true });
        waiter.resolve = () => {
          options.signal!.removeEventListener('abort', onAbort);
          resolve();
        };
      }
      this.#waiters.push(waiter);
      this.#pump();
      if (this.#onStarved !== null && this.#waiters.size > 0 && (this.#share < this.limit || this.#rateShare < 1)) this.#onStarved(this);
    });
  }

  /** Counts an event held back by this budget (shown as throttled; it is not refused). */
  countHeld(): void {
    this.#throttled++;
  }

  /**
   * The holder is done. `durationMs` and `ok` describe the budgeted work: the
   * adaptive limit learns from them.
   */
  release(durationMs: number, ok: boolean, inUseAtStart: number): void {
    this.#inUse--;
    if (this.#adaptive) this.#report(this.#adaptive.record(durationMs, ok, inUseAtStart));
    this.#pump();
  }

  /** A permit given back unused (a multi-budget take that must wait elsewhere first): no sample, the token back too. */
  giveBack(): void {
    this.#inUse--;
    this.#bucket?.refund(this.#clock.monotonic());
    this.#pump();
  }

  /** Every waiter stops waiting (the budget was removed: they go on without it, or the node closes). */
  close(reason: 'aborted' | 'removed'): void {
    if (this.#wake) this.#clock.clearTimeout(this.#wake);
    this.#wake = null;
    for (const waiter of this.#waiters.drain()) {
      if (waiter.timer) this.#clock.clearTimeout(waiter.timer);
      waiter.reject(new BudgetWaitEnded(this.name, reason, reason === 'removed' ? `budget "${this.name}" was removed` : `stopped waiting for budget "${this.name}"`));
    }
  }

  /** Grants permits to waiters, in fair order, while there are permits and tokens. */
  #pump(): void {
    while (this.#waiters.size > 0 && this.#inUse < this.capacity) {
      if (this.#bucket !== null) {
        const now = this.#clock.monotonic();
        if (!this.#bucket.take(now)) {
          this.#wakeIn(this.#bucket.msUntilToken(now));
          return;
        }
      }
      const waiter = this.#waiters.shift()!;
      if (waiter.timer) this.#clock.clearTimeout(waiter.timer);
      this.#inUse++;
      waiter.resolve();
    }
  }

  #sharedRate(rate: BudgetRate): BudgetRate {
    if (this.#rateShare >= 1) return rate;
    // A node's part of the rate; a bucket never holds less than one token, so a small share still starts work, later.
    return { perSecond: Math.max(rate.perSecond * this.#rateShare, 0.001), burst: Math.max(1, Math.floor(rate.burst * this.#rateShare)) };
  }

  #wakeIn(ms: number): void {
    if (this.#wake) return;
    this.#wake = this.#clock.setTimeout(() => {
      this.#wake = null;
      this.#pump();
    }, Math.max(1, ms));
    this.#wake.unref();
  }

  #report(change: LimitChange | null): void {
    if (!change) return;
    this.#onLimitChange(this.name, change);
    // A higher limit may let waiters in at once.
    this.#pump();
  }
}
