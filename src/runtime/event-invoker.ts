import type { Outcome, TriggerTag } from './invocation.js';

/** An event for a queue, blob, timer or async trigger: a JSON payload in, a JSON value out. */
export interface EventInvocation {
  id?: string;
  app: string;
  functionName: string;
  version?: number;
  trigger: TriggerTag;
  payload: unknown;
  /** Permits taken by `admit` before the work was leased: the invocation holds them instead of waiting again. */
  admission?: Admission | undefined;
}

/**
 * Permits (downstream budgets) a trigger took before it leased work, so that
 * waiting for them never runs out a lease or counts as an attempt. Handed to
 * the invocation, which releases them when it ends; `cancel` gives them back
 * unused (no work came after all).
 */
export interface Admission {
  readonly waitedMs: number;
  cancel(): void;
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
  /**
   * Waits until the function may start (its downstream budgets have a permit
   * for it) and takes the permits; null when it needs none. Queue-fed
   * triggers call this before they lease messages. Rejects when `signal`
   * aborts or the node closes.
   */
  admit?(target: { app: string; functionName: string; version?: number }, signal: AbortSignal): Promise<Admission | null>;
}
