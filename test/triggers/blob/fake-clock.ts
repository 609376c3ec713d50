import type { Clock, TimerHandle } from '../../../src/shared/clock.js';

/** A Clock whose time moves only when a test calls advance(). */
export class FakeClock implements Clock {
  #now = 1_700_000_000_000;
  #timers = new Map<number, { at: number; fn: () => void }>();
  #nextId = 1;

  now(): number {
    return this.#now;
  }

  monotonic(): number {
    return this.#now;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const id = this.#nextId++;
    this.#timers.set(id, { at: this.#now + ms, fn });
    return { unref: () => undefined, id } as TimerHandle & { id: number };
  }

  clearTimeout(handle: TimerHandle): void {
    this.#timers.delete((handle as TimerHandle & { id: number }).id);
  }

  /** Timers pending now, soonest first (ms from now). */
  pending(): number[] {
    return [...this.#timers.values()].map((t) => t.at - this.#now).sort((a, b) => a - b);
  }

  /** Moves time forward, firing due timers in order. */
  advance(ms: number): void {
    const until = this.#now + ms;
    for (;;) {
      const due = [...this.#timers.entries()].filter(([, t]) => t.at <= until).sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      this.#timers.delete(due[0]);
      this.#now = due[1].at;
      due[1].fn();
    }
    this.#now = until;
  }
}
