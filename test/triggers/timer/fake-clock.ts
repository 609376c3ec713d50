import type { Clock, TimerHandle } from '../../../src/shared/clock.js';

interface Pending {
  at: number;
  seq: number;
  fn: () => void;
}

/** Lets the promise chains started by a timer callback (store writes, claims) run to their next real wait. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

/**
 * A clock that moves only when told. `advance` fires due callbacks in time
 * order, letting the async work each one starts settle before the next.
 */
export class FakeClock implements Clock {
  #now: number;
  #seq = 0;
  readonly #pending = new Map<number, Pending>();

  constructor(startIso: string) {
    this.#now = Date.parse(startIso);
  }

  now(): number {
    return this.#now;
  }

  monotonic(): number {
    return this.#now;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle & { id: number } {
    const id = ++this.#seq;
    this.#pending.set(id, { at: this.#now + Math.max(0, ms), seq: id, fn });
    return { id, unref: () => {} };
  }

  clearTimeout(handle: TimerHandle): void {
    this.#pending.delete((handle as unknown as { id: number }).id);
  }

  /** Callbacks waiting on this clock. */
  get pendingCount(): number {
    return this.#pending.size;
  }

  async advance(ms: number): Promise<void> {
    await this.advanceTo(this.#now + ms);
  }

  async advanceTo(target: number | string): Promise<void> {
    const until = typeof target === 'string' ? Date.parse(target) : target;
    await settle();
    for (;;) {
      let next: [number, Pending] | undefined;
      for (const entry of this.#pending) {
        if (entry[1].at > until) continue;
        if (!next || entry[1].at < next[1].at || (entry[1].at === next[1].at && entry[1].seq < next[1].seq)) next = entry;
      }
      if (!next) break;
      this.#pending.delete(next[0]);
      this.#now = Math.max(this.#now, next[1].at);
      next[1].fn();
      await settle();
    }
    this.#now = Math.max(this.#now, until);
    await settle();
  }
}
