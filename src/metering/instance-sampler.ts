import type { Clock, TimerHandle } from '../shared/clock.js';

export const INSTANCE_SAMPLE_INTERVAL_MS = 10_000;
/** An hour of samples: what the console's overview charts. */
export const INSTANCE_SAMPLES_KEPT = 360;

export interface InstanceSample {
  /** Epoch ms. */
  t: number;
  running: number;
}

/**
 * This node's running instance count every 10 s, the last hour of it kept in
 * memory (a ring): nothing to store or sweep, and a node that restarts starts
 * a new hour. Runs on the node's clock, so tests move it with a fake one.
 */
export class InstanceSampler {
  readonly #clock: Clock;
  readonly #count: () => number;
  readonly #ring: (InstanceSample | undefined)[] = new Array<InstanceSample | undefined>(INSTANCE_SAMPLES_KEPT);
  #next = 0;
  #timer: TimerHandle | null = null;

  constructor(clock: Clock, count: () => number) {
    this.#clock = clock;
    this.#count = count;
  }

  /** Takes a sample now and one every 10 s until stopped. */
  start(): void {
    if (this.#timer) return;
    this.#sample();
  }

  stop(): void {
    if (this.#timer) this.#clock.clearTimeout(this.#timer);
    this.#timer = null;
  }

  /** The samples taken at or after `since` (epoch ms), oldest first. */
  samples(since = Number.NEGATIVE_INFINITY): InstanceSample[] {
    const out: InstanceSample[] = [];
    for (let i = 0; i < INSTANCE_SAMPLES_KEPT; i++) {
      const sample = this.#ring[(this.#next + i) % INSTANCE_SAMPLES_KEPT];
      if (sample && sample.t >= since) out.push(sample);
    }
    return out;
  }

  /** The count right now, not kept. */
  current(): InstanceSample {
    return { t: this.#clock.now(), running: this.#count() };
  }

  #sample(): void {
    this.#ring[this.#next] = this.current();
    this.#next = (this.#next + 1) % INSTANCE_SAMPLES_KEPT;
    this.#timer = this.#clock.setTimeout(() => this.#sample(), INSTANCE_SAMPLE_INTERVAL_MS);
    this.#timer.unref();
  }
}
