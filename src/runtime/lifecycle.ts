import type { Outcome, TriggerTag } from './invocation.js';

/**
 * The invocation lifecycle, where metering, logs and tracing attach.
 * The dispatcher calls these hooks; it knows nothing of what listens.
 * Hooks run synchronously on the dispatcher's path ('finished' once per
 * event-loop turn, after the answers of that turn are written): keep them to
 * a push into a buffer.
 */
export interface InvocationStart {
  id: string;
  app: string;
  functionName: string;
  version: number;
  trigger: TriggerTag;
  memoryMb: number;
  /** Epoch ms when the dispatcher admitted the invocation. */
  admittedAt: number;
  traceparent?: string | undefined;
}

export interface InvocationEnd extends InvocationStart {
  /** Epoch ms when the handler started (after any wait and cold start). */
  startedAt: number;
  /** Handler time in ms (fractional), excluding queueing and cold start. */
  durationMs: number;
  /** Time spent starting an instance for this invocation, if it had to (ms), else null. */
  coldStartMs: number | null;
  /** CPU time the instance used while running this invocation (µs), as measured inside it. */
  cpuMicros: number;
  /** Peak RSS of the instance seen so far (bytes). */
  peakRssBytes: number;
  outcome: Outcome;
  error?: string | undefined;
  /** Instance that ran it, if any. */
  instanceId?: string | undefined;
  /** Time spent waiting for downstream budget permits (ms), before the start; not billed. */
  budgetWaitMs: number;
}

export interface FunctionLogLine {
  app: string;
  functionName: string;
  version: number;
  /** null for lines written outside any invocation (module top level, timers). */
  invocationId: string | null;
  instanceId: string;
  stream: 'stdout' | 'stderr';
  level: 'debug' | 'info' | 'warn' | 'error';
  time: number;
  message: string;
}

export interface LifecycleHooks {
  admitted: ((inv: InvocationStart) => void)[];
  finished: ((inv: InvocationEnd) => void)[];
  log: ((line: FunctionLogLine) => void)[];
}

export class InvocationLifecycle {
  readonly #hooks: LifecycleHooks = { admitted: [], finished: [], log: [] };

  on<K extends keyof LifecycleHooks>(name: K, hook: LifecycleHooks[K][number]): () => void {
    if (typeof hook !== 'function') throw new TypeError(`lifecycle hook "${name}" must be a function`);
    const list = this.#hooks[name] as unknown[];
    list.push(hook);
    return () => {
      const i = list.indexOf(hook);
      if (i >= 0) list.splice(i, 1);
    };
  }

  emit<K extends keyof LifecycleHooks>(name: K, event: Parameters<LifecycleHooks[K][number]>[0]): void {
    for (const hook of this.#hooks[name] as ((e: typeof event) => void)[]) {
      try {
        hook(event);
      } catch {
        // A broken listener must never fail an invocation.
      }
    }
  }
}
