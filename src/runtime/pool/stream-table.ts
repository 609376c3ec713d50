/**
 * An instance's open streams by stream id, with a count per invocation: the
 * host-call path asks "is this invocation still running here?" on every call,
 * and with many invocations in flight a scan of all streams per call costs
 * more than the call.
 */
export class StreamTable<S extends { readonly invocationId: string }> {
  readonly #byId = new Map<number, S>();
  readonly #perInvocation = new Map<string, number>();

  get size(): number {
    return this.#byId.size;
  }

  get(id: number): S | undefined {
    return this.#byId.get(id);
  }

  has(id: number): boolean {
    return this.#byId.has(id);
  }

  set(id: number, stream: S): void {
    this.delete(id);
    this.#byId.set(id, stream);
    this.#perInvocation.set(stream.invocationId, (this.#perInvocation.get(stream.invocationId) ?? 0) + 1);
  }

  delete(id: number): boolean {
    const stream = this.#byId.get(id);
    if (stream === undefined) return false;
    this.#byId.delete(id);
    const left = (this.#perInvocation.get(stream.invocationId) ?? 1) - 1;
    if (left > 0) this.#perInvocation.set(stream.invocationId, left);
    else this.#perInvocation.delete(stream.invocationId);
    return true;
  }

  clear(): void {
    this.#byId.clear();
    this.#perInvocation.clear();
  }

  /** Whether any stream of this invocation is open. */
  runs(invocationId: string): boolean {
    return this.#perInvocation.has(invocationId);
  }

  values(): IterableIterator<S> {
    return this.#byId.values();
  }

  /** Entries as [id, stream]; deleting the current entry while iterating is safe, as with a Map. */
  [Symbol.iterator](): IterableIterator<[number, S]> {
    return this.#byId.entries();
  }
}
