import type { AdaptiveBounds } from './budget.js';

/** A change of the adaptive limit and why, for the platform log. */
export interface LimitChange {
  from: number;
  to: number;
  reason: string;
}

/** Samples per judgement of latency at least (and at least the limit: one "round trip" of the whole limit). */
export const MIN_WINDOW_SAMPLES = 8;
/** The recent latency may be this many times the baseline before the downstream counts as degraded. */
export const LATENCY_TOLERANCE = 2;
/** Multiplicative decrease on errors, timeouts or degraded latency. */
export const DECREASE_FACTOR = 0.75;
/** How fast the baseline follows healthy windows (EWMA weight), and degraded ones (much slower: a lasting slowdown becomes the norm only over many windows). */
const BASELINE_WEIGHT = 0.2;
const DEGRADED_BASELINE_WEIGHT = 0.02;

/**
 * AIMD with a latency gradient, after Netflix's concurrency-limits: each
 * window of finished budgeted work (whole invocations for `uses`, sections
 * for ctx.budgets.run) is compared with a long-term baseline of healthy
 * windows. A failure, or a window slower than LATENCY_TOLERANCE × baseline,
 * cuts the limit by DECREASE_FACTOR (at most once per window, as TCP once
 * per round trip, so one burst of failures is one cut); a healthy window in
 * which the limit was actually used adds one. Always within [min, max].
 *
 * Pure arithmetic on the samples it is given: no clock, no timers.
 */
export class AdaptiveLimit {
  #bounds: AdaptiveBounds;
  #limit: number;
  #baselineMs: number | null = null;
  #windowSamples = 0;
  #windowTotalMs = 0;
  #windowPeakInUse = 0;
  #windowFailed = false;
  /** A cut happened in this window already: more failures of the same burst do not cut again. */
  #cutThisWindow = false;

  constructor(bounds: AdaptiveBounds) {
    this.#bounds = bounds;
    this.#limit = bounds.max;
  }

  get limit(): number {
    return this.#limit;
  }

  get baselineMs(): number | null {
    return this.#baselineMs;
  }

  /** New bounds: the limit is clamped into them (the change is reported). */
  configure(bounds: AdaptiveBounds): LimitChange | null {
    this.#bounds = bounds;
    return this.#set(this.#limit, 'the budget\'s adaptive bounds changed');
  }

  /**
   * One piece of budgeted work finished. `inUse`: holders when it started
   * (whether the limit was the bottleneck). Returns the change, if any.
   */
  record(durationMs: number, ok: boolean, inUse: number): LimitChange | null {
    this.#windowSamples++;
    this.#windowTotalMs += durationMs;
    if (inUse > this.#windowPeakInUse) this.#windowPeakInUse = inUse;
    let change: LimitChange | null = null;
    if (!ok) {
      this.#windowFailed = true;
      if (!this.#cutThisWindow) {
        this.#cutThisWindow = true;
        change = this.#set(Math.floor(this.#limit * DECREASE_FACTOR), 'budgeted work failed (an error or a timeout)');
      }
    }
    if (this.#windowSamples >= Math.max(MIN_WINDOW_SAMPLES, this.#limit)) change = this.#closeWindow() ?? change;
    return change;
  }

  #closeWindow(): LimitChange | null {
    const recentMs = this.#windowTotalMs / this.#windowSamples;
    const baseline = this.#baselineMs;
    let change: LimitChange | null = null;
    const degraded = baseline !== null && recentMs > baseline * LATENCY_TOLERANCE;
    if (degraded) {
      if (!this.#cutThisWindow) {
        change = this.#set(
          Math.floor(this.#limit * DECREASE_FACTOR),
          `latency rose to ${round(recentMs)} ms, over ${LATENCY_TOLERANCE}× its baseline of ${round(baseline)} ms`,
        );
      }
      this.#baselineMs = baseline + (recentMs - baseline) * DEGRADED_BASELINE_WEIGHT;
    } else if (!this.#windowFailed) {
      this.#baselineMs = baseline === null ? recentMs : baseline + (recentMs - baseline) * BASELINE_WEIGHT;
      // Growing a limit nobody reaches would only allow a bigger burst later.
      if (this.#windowPeakInUse >= this.#limit - 1 || this.#windowPeakInUse * 2 >= this.#limit) {
        change = this.#set(this.#limit + 1, `healthy: latency ${round(recentMs)} ms against a baseline of ${round(this.#baselineMs)} ms, no failures`);
      }
    }
    this.#windowSamples = 0;
    this.#windowTotalMs = 0;
    this.#windowPeakInUse = 0;
    this.#windowFailed = false;
    this.#cutThisWindow = false;
    return change;
  }

  #set(wanted: number, reason: string): LimitChange | null {
    const to = Math.max(this.#bounds.min, Math.min(this.#bounds.max, wanted));
    if (to === this.#limit) return null;
    const from = this.#limit;
    this.#limit = to;
    return { from, to, reason };
  }
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}
