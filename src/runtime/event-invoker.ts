import type { Outcome, TriggerTag } from './invocation.js';

/** An event for a queue, blob, timer or async trigger: a JSON payload in, a JSON value out. */
export interface EventInvocation {
  id?: string;
  app: string;
  functionName: string;
  version?: number;
  trigger: TriggerTag;
  payload: unknown;
}

export interface EventResult {
  id: string;
  outcome: Outcome;
  /** The handler's return value (JSON), when outcome is 'ok'. */
  value?: unknown;
  /** Why it failed, when it did. */
  error?: string;
}

/**
 * What event triggers need from the runtime. 'throttled' means the function
 * was at its cap: triggers must not count that as a failed attempt.
 */
export interface EventInvoker {
  invokeEvent(event: EventInvocation): Promise<EventResult>;
  /**
   * An invocation of this function is known to come shortly (a timer's next
   * time): get an instance ready now so it does not wait for a cold start.
   * Best effort; never fails.
   */
  prepare?(target: { app: string; functionName: string; version?: number }): void;
}
