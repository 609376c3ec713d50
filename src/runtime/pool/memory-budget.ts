/**
 * The node's memory budget: the sum of `memoryMb` of running instances may
 * not pass it. When it would, the dispatcher stops idle instances of other
 * functions, least recently used first.
 */
export class MemoryBudget {
  #usedMb = 0;

  constructor(readonly totalMb: number) {}

  get usedMb(): number {
    return this.#usedMb;
  }

  tryReserve(mb: number): boolean {
    if (this.#usedMb + mb > this.totalMb) return false;
    this.#usedMb += mb;
    return true;
  }

  release(mb: number): void {
    this.#usedMb = Math.max(0, this.#usedMb - mb);
  }
}
