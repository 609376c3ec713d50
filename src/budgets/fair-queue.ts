/** A waiter as the fair queue orders it. */
export interface FairWaiter {
  /** Who waits: waiters of one function take turns with other functions' (e.g. `app/function`). */
  readonly owner: string;
  /** Higher goes first; equal priorities share round-robin by owner. */
  readonly priority: number;
}

interface OwnerLine<W> {
  owner: string;
  waiters: W[];
}

interface Level<W> {
  priority: number;
  /** Owners with waiters, in turn order; `next` is the one served next. */
  ring: OwnerLine<W>[];
  next: number;
  byOwner: Map<string, OwnerLine<W>>;
}

/**
 * Waiters for one budget: the highest priority first; within a priority,
 * one waiter per owner in turn (round-robin), so a function with a thousand
 * waiters cannot starve one with a single waiter. FIFO within an owner.
 */
export class FairQueue<W extends FairWaiter> {
  /** Highest priority first; few levels exist in practice (most functions use 0). */
  readonly #levels: Level<W>[] = [];
  #size = 0;

  get size(): number {
    return this.#size;
  }

  push(waiter: W): void {
    let level = this.#levels.find((l) => l.priority === waiter.priority);
    if (!level) {
      level = { priority: waiter.priority, ring: [], next: 0, byOwner: new Map() };
      const at = this.#levels.findIndex((l) => l.priority < waiter.priority);
      this.#levels.splice(at < 0 ? this.#levels.length : at, 0, level);
    }
    let line = level.byOwner.get(waiter.owner);
    if (!line) {
      line = { owner: waiter.owner, waiters: [] };
      level.byOwner.set(waiter.owner, line);
      // A newcomer joins just before the one served next: it waits one full turn, not zero and not two.
      level.ring.splice(level.next, 0, line);
      level.next = (level.next + 1) % level.ring.length;
    }
    line.waiters.push(waiter);
    this.#size++;
  }

  shift(): W | undefined {
    const level = this.#levels[0];
    if (!level) return undefined;
    const index = level.next;
    const line = level.ring[index]!;
    const waiter = line.waiters.shift()!;
    this.#size--;
    if (line.waiters.length === 0) this.#dropLine(level, line, index);
    else level.next = (index + 1) % level.ring.length;
    return waiter;
  }

  /** Takes a waiter out (it gave up: timeout, abort); false when it was not waiting. */
  remove(waiter: W): boolean {
    const levelIndex = this.#levels.findIndex((l) => l.priority === waiter.priority);
    const level = this.#levels[levelIndex];
    const line = level?.byOwner.get(waiter.owner);
    if (!level || !line) return false;
    const at = line.waiters.indexOf(waiter);
    if (at < 0) return false;
    line.waiters.splice(at, 1);
    this.#size--;
    if (line.waiters.length === 0) this.#dropLine(level, line, level.ring.indexOf(line));
    return true;
  }

  /** Every waiter, highest priority first (for closing: each is told to stop waiting). */
  drain(): W[] {
    const all: W[] = [];
    for (const level of this.#levels) for (const line of level.ring) all.push(...line.waiters);
    this.#levels.length = 0;
    this.#size = 0;
    return all;
  }

  /** An owner with no waiter left leaves the ring; whoever was next stays next. */
  #dropLine(level: Level<W>, line: OwnerLine<W>, index: number): void {
    level.ring.splice(index, 1);
    level.byOwner.delete(line.owner);
    if (index < level.next) level.next--;
    if (level.ring.length === 0) this.#levels.splice(this.#levels.indexOf(level), 1);
    else level.next %= level.ring.length;
  }
}
