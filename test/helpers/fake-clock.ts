import type { Clock, TimerHandle } from '../../src/shared/clock.js';

interface FakeTimer extends TimerHandle {
  id: number;
  at: number;
  fn: () => void;
}

/** Lets the event loop run (group commits, promise chains) without letting any time pass. */
export async function settle(turns = 20): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

/** Waits, in event-loop turns rather than wall-clock time, until `condition` holds. */
export async function waitFor(condition: () => boolean, what = 'condition', turns = 2_000): Promise<void> {
  for (let i = 0; i < turns; i++) {
    if (condition()) return;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Time that only moves when the test says so; due timers fire in order. */
export class FakeClock implements Clock {
  #now: number;
  #monotonic = 0;
  #nextId = 0;
  readonly #timers = new Map<number, FakeTimer>();

  /** `start`: epoch milliseconds or an ISO time. */
  constructor(start: number | string = Date.UTC(2025, 0, 1)) {
    this.#now = typeof start === 'string' ? Date.parse(start) : start;
  }

  now(): number {
    return this.#now;
  }

  monotonic(): number {
    return this.#monotonic;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const timer: FakeTimer = { id: ++this.#nextId, at: this.#monotonic + Math.max(0, ms), fn, unref() {} };
    this.#timers.set(timer.id, timer);
    return timer;
  }

  clearTimeout(handle: TimerHandle): void {
    this.#timers.delete((handle as FakeTimer).id);
  }

  get pendingTimers(): number {
    return this.#timers.size;
  }

  /** Moves time forward by `ms`, firing due timers in order and letting the event loop settle after each. */
  async advance(ms: number): Promise<void> {
    const target = this.#monotonic + ms;
    for (;;) {
      await settle();
      let next: FakeTimer | undefined;
      for (const timer of this.#timers.values()) {
        if (timer.at <= target && (!next || timer.at < next.at || (timer.at === next.at && timer.id < next.id))) next = timer;
      }
      if (!next) break;
      this.#moveTo(next.at);
      this.#timers.delete(next.id);
      next.fn();
    }
    this.#moveTo(target);
    await settle();
  }

  /** Moves time forward to the wall-clock time `target` (epoch milliseconds or ISO), as advance does. */
  async advanceTo(target: number | string): Promise<void> {
    const until = typeof target === 'string' ? Date.parse(target) : target;
    await this.advance(Math.max(0, until - this.#now));
  }

  #moveTo(monotonic: number): void {
    this.#now += monotonic - this.#monotonic;
    this.#monotonic = monotonic;
  }
}
