/** The `onSend` listeners of a queue store, by queue: added, removed and woken the same way in every store. */
export class SendListeners {
  readonly #byQueue = new Map<string, Set<() => void>>();

  add(queue: string, listener: () => void): () => void {
    let set = this.#byQueue.get(queue);
    if (!set) {
      set = new Set();
      this.#byQueue.set(queue, set);
    }
    set.add(listener);
    const listeners = set;
    return () => {
      listeners.delete(listener);
      if (listeners.size === 0 && this.#byQueue.get(queue) === listeners) this.#byQueue.delete(queue);
    };
  }

  has(queue: string): boolean {
    return this.#byQueue.has(queue);
  }

  queues(): string[] {
    return [...this.#byQueue.keys()];
  }

  wake(queue: string): void {
    for (const listener of [...(this.#byQueue.get(queue) ?? [])]) {
      try {
        listener();
      } catch {
        // One consumer's failure to wake is not the sender's problem.
      }
    }
  }
}
