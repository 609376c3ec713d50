import type { EventInvocation, EventInvoker, EventResult } from '../../../src/runtime/event-invoker.js';

export type Respond = (event: EventInvocation, call: number) => Omit<EventResult, 'id'> | Promise<Omit<EventResult, 'id'>>;

/** Records every event and counts how many run at once; answers with `respond`. */
export class FakeInvoker implements EventInvoker {
  readonly calls: EventInvocation[] = [];
  running = 0;
  maxRunning = 0;
  respond: Respond;

  constructor(respond: Respond = () => ({ outcome: 'ok' })) {
    this.respond = respond;
  }

  async invokeEvent(event: EventInvocation): Promise<EventResult> {
    this.calls.push(event);
    this.running++;
    this.maxRunning = Math.max(this.maxRunning, this.running);
    try {
      return { id: event.id ?? `inv-${this.calls.length}`, ...(await this.respond(event, this.calls.length)) };
    } finally {
      this.running--;
    }
  }
}

export interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
}

export function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}
