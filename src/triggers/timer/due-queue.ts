/**
 * Timers ordered by their next due time, so the scheduler arms one clock
 * timeout for the nearest of them however many are registered. A binary
 * min-heap: entries are never moved when a timer changes; a stale entry is
 * recognised by its ticket and dropped when it surfaces.
 */
export interface DueEntry {
  at: number;
  timerId: string;
  /** Matches the timer's current ticket while the entry is live. */
  ticket: number;
}

export class DueQueue {
  readonly #heap: DueEntry[] = [];

  get size(): number {
    return this.#heap.length;
  }

  push(entry: DueEntry): void {
    const heap = this.#heap;
    heap.push(entry);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (heap[parent]!.at <= entry.at) break;
      heap[i] = heap[parent]!;
      i = parent;
    }
    heap[i] = entry;
  }

  peek(): DueEntry | undefined {
    return this.#heap[0];
  }

  pop(): DueEntry | undefined {
    const heap = this.#heap;
    const top = heap[0];
    const last = heap.pop();
    if (top === undefined || last === undefined || heap.length === 0) return top;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= heap.length) break;
      const right = left + 1;
      const child = right < heap.length && heap[right]!.at < heap[left]!.at ? right : left;
      if (heap[child]!.at >= last.at) break;
      heap[i] = heap[child]!;
      i = child;
    }
    heap[i] = last;
    return top;
  }

  /** Drops every entry and keeps only these: how stale entries are shed in bulk. */
  replaceAll(entries: DueEntry[]): void {
    this.#heap.length = 0;
    for (const entry of entries) this.push(entry);
  }

  clear(): void {
    this.#heap.length = 0;
  }
}
