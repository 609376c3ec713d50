import type { Admission } from '../runtime/event-invoker.js';
import type { BudgetLimiter } from './budget-limiter.js';

/**
 * Permits one invocation (or one ctx.budgets.run section) holds, one per
 * budget. Released exactly once, on every path; what it held and for how
 * long is the adaptive limits' signal.
 */
export class BudgetHold implements Admission {
  #released = false;

  constructor(
    readonly limiters: readonly BudgetLimiter[],
    /** Time spent waiting for the permits (ms); 0 when they were free at once. */
    readonly waitedMs: number,
    /** Monotonic ms when the last permit was taken: the budgeted work starts here. */
    readonly grantedAt: number,
    /** Holders of each budget when this took its permit (whether the limit was the bottleneck). */
    readonly inUseAtStart: readonly number[],
  ) {}

  /** `now`: monotonic ms; `ok`: the work did not fail or time out. A second call does nothing. */
  release(now: number, ok: boolean): void {
    if (this.#released) return;
    this.#released = true;
    const durationMs = now - this.grantedAt;
    for (let i = 0; i < this.limiters.length; i++) this.limiters[i]!.release(durationMs, ok, this.inUseAtStart[i]!);
  }

  /** The permits go back unused (a trigger found no work after all): no sample for adaptive limits, rate tokens refunded. */
  cancel(): void {
    if (this.#released) return;
    this.#released = true;
    for (const limiter of this.limiters) limiter.giveBack();
  }
}
