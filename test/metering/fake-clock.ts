import type { Clock, TimerHandle } from '../../src/shared/clock.js';

interface FakeTimer extends TimerHandle {
  due: number;
  order: number;
  fn: () => void;
}

/** A clock that moves only when a test says so. Timers fire in due order during advance(). */
export class FakeClock implements Clock {
  #now: number;
  #order = 0;
  #timers = new Set<FakeTimer>();

  constructor(start = Date.UTC(2026, 0, 15, 12, 0, 0)) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  monotonic(): number {
    return this.#now;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const timer: FakeTimer = { due: this.#now + Math.max(0, ms), order: this.#order++, fn, unref: () => {} };
    this.#timers.add(timer);
    return timer;
  }

  clearTimeout(handle: TimerHandle): void {
    this.#timers.delete(handle as FakeTimer);
  }

  get pendingTimers(): number {
    return this.#timers.size;
  }

  /** Moves time forward, firing every timer that falls due on the way (including ones set meanwhile). */
  advance(ms: number): void {
    const until = this.#now + ms;
    for (;;) {
      const next = [...this.#timers].filter((t) => t.due <= until).sort((a, b) => a.due - b.due || a.order - b.order)[0];
      if (!next) break;
      this.#timers.delete(next);
      this.#now = next.due;
      next.fn();
    }
    this.#now = until;
  }
}

/** Lets every queued promise continuation run (writes to SQLite complete synchronously inside them). */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
