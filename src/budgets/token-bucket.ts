import type { BudgetRate } from './budget.js';

/**
 * Starts per second with a burst: `burst` tokens at most, refilled at
 * `perSecond`. Time comes from the caller (monotonic ms), so the owner's
 * clock decides, and a fake clock makes it exact in tests.
 */
export class TokenBucket {
  #perMs: number;
  #burst: number;
  #tokens: number;
  #at: number;

  constructor(rate: BudgetRate, now: number) {
    this.#perMs = rate.perSecond / 1000;
    this.#burst = Math.max(1, rate.burst);
    this.#tokens = this.#burst;
    this.#at = now;
  }

  /** A new rate keeps the tokens in hand (up to the new burst). */
  configure(rate: BudgetRate, now: number): void {
    this.#refill(now);
    this.#perMs = rate.perSecond / 1000;
    this.#burst = Math.max(1, rate.burst);
    this.#tokens = Math.min(this.#tokens, this.#burst);
  }

  take(now: number): boolean {
    this.#refill(now);
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }

  /** A token taken for a start that did not happen (a multi-budget take given back). */
  refund(now: number): void {
    this.#refill(now);
    this.#tokens = Math.min(this.#burst, this.#tokens + 1);
  }

  /** Milliseconds until a whole token is in the bucket (0 when one is). */
  msUntilToken(now: number): number {
    this.#refill(now);
    if (this.#tokens >= 1) return 0;
    return Math.ceil((1 - this.#tokens) / this.#perMs);
  }

  #refill(now: number): void {
    if (now > this.#at) {
      this.#tokens = Math.min(this.#burst, this.#tokens + (now - this.#at) * this.#perMs);
      this.#at = now;
    }
  }
}
