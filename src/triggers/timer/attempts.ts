import type { TimerTick } from '../../sdk/definition.js';
import type { Clock } from '../../shared/clock.js';
import type { EventInvoker, EventResult } from '../../runtime/event-invoker.js';
import type { TimerRun, TimerRunOutcome, TimerStore } from '../../store/timer-store.js';
import { backoffDelayMs } from '../retry-policy.js';
import type { ResolvedTimerSettings } from './timer-settings.js';

/** Wait before trying a throttled run again: the function is at its cap, not failing. */
export const THROTTLED_RETRY_MS = 1_000;
/** A run still throttled after this long gives up, recorded as 'throttled'. */
export const MAX_THROTTLED_WAIT_MS = 600_000;

export interface AttemptTarget {
  app: string;
  functionName: string;
  version: number;
}

export interface AttemptContext {
  run: TimerRun;
  target: AttemptTarget;
  settings: ResolvedTimerSettings;
  /** The payload for an attempt fired at `firedAt`. */
  tick(firedAt: number): TimerTick;
  invoker: EventInvoker;
  store: TimerStore;
  clock: Clock;
  random: () => number;
  /** Resolves true after `ms`, or false as soon as the scheduler closes. */
  sleep(ms: number): Promise<boolean>;
}

export interface AttemptsResult {
  outcome: Exclude<TimerRunOutcome, 'running' | 'skipped'>;
  error: string | null;
  attempts: number;
}

/**
 * Two event-loop turns: the dispatcher hands an attempt to a warm instance in
 * microtasks, and the instance channel sends what was written in one turn at
 * the end of that turn (its writes are corked until a setImmediate).
 */
function afterAttemptSent(): Promise<void> {
  return new Promise((resolve) => setImmediate(() => setImmediate(resolve)));
}

const SHUT_DOWN_NOTE = '(retries stopped: the node shut down)';

async function invoke(ctx: AttemptContext, firedAt: number): Promise<EventResult> {
  try {
    return await ctx.invoker.invokeEvent({ ...ctx.target, trigger: 'timer', payload: ctx.tick(firedAt) });
  } catch (err) {
    // The invoker's contract is to answer with an outcome; a throw is still only this attempt's failure.
    return { id: '', outcome: 'error', error: err instanceof Error ? err.message : String(err) };
  }
}

/**
 * Runs one claimed scheduled time to its end: attempts with backoff up to
 * `maxAttempts`, each recorded on the run; throttled tries wait a moment and
 * are not attempts. Ends the run row with the final outcome.
 */
export async function runAttempts(ctx: AttemptContext): Promise<AttemptsResult> {
  const { run, settings, store, clock } = ctx;
  let attempts = 0;
  let throttledSince: number | null = null;
  let fired = false;

  const finish = async (result: AttemptsResult): Promise<AttemptsResult> => {
    await store.updateRun(run.id, {
      outcome: result.outcome,
      error: result.error,
      attempts: result.attempts,
      finishedAt: clock.now(),
      nextAttemptAt: null,
    });
    return result;
  };

  for (;;) {
    const firedAt = clock.now();
    // Recorded alongside the first attempt, not before it: the claim already made the run durable. And
    // once the attempt is on its way to its instance: a store commit (an fsync) must not hold up the start.
    const recordFired = fired ? Promise.resolve() : afterAttemptSent().then(() => store.updateRun(run.id, { firedAt }));
    fired = true;
    const [result] = await Promise.all([invoke(ctx, firedAt), recordFired]);

    if (result.outcome === 'throttled') {
      throttledSince ??= firedAt;
      const error = result.error ?? 'the function is at its instance cap';
      if (clock.now() - throttledSince >= MAX_THROTTLED_WAIT_MS) return finish({ outcome: 'throttled', error, attempts });
      await store.updateRun(run.id, { error, nextAttemptAt: clock.now() + THROTTLED_RETRY_MS });
      if (!(await ctx.sleep(THROTTLED_RETRY_MS))) return finish({ outcome: 'throttled', error: `${error} ${SHUT_DOWN_NOTE}`, attempts });
      continue;
    }

    throttledSince = null;
    attempts += 1;
    if (result.outcome === 'ok') return finish({ outcome: 'ok', error: null, attempts });
    const error = result.error ?? result.outcome;
    if (attempts >= settings.maxAttempts) return finish({ outcome: result.outcome, error, attempts });

    const delay = backoffDelayMs(attempts, settings.backoff, ctx.random);
    await store.updateRun(run.id, { attempts, error, nextAttemptAt: clock.now() + delay });
    if (!(await ctx.sleep(delay))) return finish({ outcome: result.outcome, error: `${error} ${SHUT_DOWN_NOTE}`, attempts });
  }
}
