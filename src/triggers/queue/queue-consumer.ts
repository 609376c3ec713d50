import type { Admission } from '../../runtime/event-invoker.js';
import type { Clock, TimerHandle } from '../../shared/clock.js';
import type { LeasedMessage, QueueStore } from '../../store/queue-store.js';
import { backoffDelayMs } from '../retry-policy.js';
import type { ResolvedQueueSettings } from './settings.js';

/** Looks again for messages sent by other nodes this often when idle (this node's sends wake consumers at once). */
export const DEFAULT_POLL_INTERVAL_MS = 1_000;
/** A batch refused because the function was at its cap is retried after this long, and holds its slot meanwhile. */
export const THROTTLED_RETRY_DELAY_MS = 1_000;
/** After the store failed, wait this long before trying again. */
const STORE_ERROR_RETRY_MS = 1_000;

/** What running one batch came to. */
export type BatchOutcome =
  | { throttled: true }
  /** Messages absent from `failed` succeeded; each failed one maps to its error, and may name its own retry delay. */
  | { throttled?: false; failed: ReadonlyMap<string, string>; retryDelayMs?: ReadonlyMap<string, number> };

/** Turns a batch into an invocation and its result into an outcome; the consumer does the rest. */
export interface BatchHandler {
  /** `admission`: the permits `admit` took for this batch; the invocation takes them over. */
  run(messages: LeasedMessage[], admission?: Admission): Promise<BatchOutcome>;
  /**
   * Waits until the function may start a batch (its downstream budgets have
   * a permit) and takes the permits, before any message is leased: a message
   * never waits for a budget while its lease runs. Null: nothing to wait for.
   */
  admit?(signal: AbortSignal): Promise<Admission | null>;
  /** Called once a message was moved to the dead-letter queue. */
  deadLettered?(message: LeasedMessage, error: string): Promise<void>;
}

export interface QueueConsumerOptions {
  queues: QueueStore;
  clock: Clock;
  settings: ResolvedQueueSettings;
  handler: BatchHandler;
  pollIntervalMs?: number;
  /** Who consumes (e.g. `app/function`): maxConcurrency counts this consumer's batches on every node. */
  consumer?: string;
  /** For backoff jitter; tests pass a fixed one. */
  random?: () => number;
  /** Store failures and handler bugs; the consumer carries on. */
  onError?: (error: unknown) => void;
}

/**
 * Feeds one queue to one function: leases batches, runs them through the
 * handler, acknowledges what succeeded and retries (with backoff) or
 * dead-letters what failed. At most `maxConcurrency` batches are in flight:
 * here (slots) and, through the store's `maxInFlight`, on all nodes together.
 */
export class QueueConsumer {
  readonly #queues: QueueStore;
  readonly #clock: Clock;
  readonly #pollIntervalMs: number;
  readonly #random: () => number;
  readonly #onError: (error: unknown) => void;
  readonly #consumer: string;
  #settings: ResolvedQueueSettings;
  #handler: BatchHandler;

  /** Batches not yet settled (invocation, then acks and releases): `stop()` waits for them. */
  readonly #batches = new Set<Promise<void>>();
  /** Batches whose invocation is running: at most maxConcurrency. */
  #invoking = 0;
  #pumpScheduled = false;
  /** Timers a stop must cut short: the idle sleep, a batch-fill wait, throttle pauses. */
  readonly #sleeps = new Set<() => void>();
  #pumping = false;
  #wakeRequested = false;
  #stopped = false;
  #idleTimer: TimerHandle | undefined;
  #batchFillWaiter: (() => void) | undefined;
  #unsubscribe: (() => void) | undefined;
  /** Cuts a wait for admission short when the consumer stops. */
  readonly #stopping = new AbortController();

  constructor(options: QueueConsumerOptions) {
    this.#queues = options.queues;
    this.#clock = options.clock;
    this.#settings = options.settings;
    this.#handler = options.handler;
    this.#pollIntervalMs = options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS;
    this.#consumer = options.consumer ?? '';
    this.#random = options.random ?? Math.random;
    this.#onError = options.onError ?? ((error) => console.error('nimbus: queue consumer:', error));
  }

  get queue(): string {
    return this.#settings.queue;
  }

  start(): void {
    if (this.#unsubscribe || this.#stopped) return;
    this.#unsubscribe = this.#queues.onSend(this.queue, () => this.#wake());
    void this.#pump();
  }

  /** New settings and handler (a new version) for batches started from now on; the queue stays the same. */
  reconfigure(settings: ResolvedQueueSettings, handler: BatchHandler): void {
    if (settings.queue !== this.queue) throw new Error(`a consumer cannot move from queue ${this.queue} to ${settings.queue}`);
    this.#settings = settings;
    this.#handler = handler;
    this.#wake();
  }

  /** Stops taking messages; resolves when the batches in flight have finished. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#stopping.abort();
    this.#unsubscribe?.();
    this.#clearIdleTimer();
    for (const cut of [...this.#sleeps]) cut();
    await Promise.allSettled([...this.#batches]);
  }

  #wake(): void {
    if (this.#stopped) return;
    this.#wakeRequested = true;
    if (this.#batchFillWaiter) this.#batchFillWaiter();
    else void this.#pump();
  }

  async #pump(): Promise<void> {
    if (this.#stopped) return;
    if (this.#pumping) {
      // Something changed while we were busy: look again before going idle.
      this.#wakeRequested = true;
      return;
    }
    this.#pumping = true;
    this.#clearIdleTimer();
    let idleMs: number | undefined;
    try {
      while (!this.#stopped && this.#freeSlots() > 0) {
        this.#wakeRequested = false;
        const admission = await this.#admit();
        if (this.#stopped) {
          admission?.cancel();
          break;
        }
        // Admitted work is leased one batch per admission: its permits cover exactly that batch.
        const batches = await this.#collectBatches(admission ? 1 : this.#freeSlots()).catch((error: unknown) => {
          admission?.cancel();
          throw error;
        });
        if (admission && batches.length === 0) admission.cancel();
        for (const batch of batches) this.#dispatch(batch, admission ?? undefined);
        if (batches.length === 0 && !this.#wakeRequested) {
          idleMs = await this.#idleMs();
          break;
        }
      }
    } catch (error) {
      this.#onError(error);
      idleMs = STORE_ERROR_RETRY_MS;
    } finally {
      this.#pumping = false;
    }
    if (this.#stopped) return;
    if (this.#wakeRequested && this.#freeSlots() > 0) void this.#pump();
    else if (idleMs !== undefined) this.#idleTimer = this.#timer(() => void this.#pump(), idleMs);
  }

  /** Permits for the next batch (null: the function needs none); waits while its budgets are exhausted. */
  async #admit(): Promise<Admission | null> {
    const admit = this.#handler.admit;
    if (!admit) return null;
    try {
      return await admit.call(this.#handler, this.#stopping.signal);
    } catch (error) {
      if (this.#stopped) return null;
      throw error;
    }
  }

  #freeSlots(): number {
    return this.#settings.maxConcurrency - this.#invoking;
  }

  /**
   * Leases enough for every free slot in one receive (one transaction), split
   * into batches. With less than one batch, waits up to maxBatchWaitMs for more.
   */
  async #collectBatches(slots: number): Promise<LeasedMessage[][]> {
    const { queue, batchSize, maxBatchWaitMs, maxConcurrency, visibilityTimeoutMs } = this.#settings;
    const capped = { maxInFlight: maxConcurrency, batchSize, consumer: this.#consumer };
    let messages = await this.#queues.receive(queue, slots * batchSize, visibilityTimeoutMs, capped);
    if (messages.length > 0 && messages.length < batchSize && maxBatchWaitMs > 0) {
      const deadline = this.#clock.monotonic() + maxBatchWaitMs;
      let left = maxBatchWaitMs;
      while (left > 0 && messages.length < batchSize && !this.#stopped) {
        await this.#sleep(left, (cut) => (this.#batchFillWaiter = cut));
        this.#batchFillWaiter = undefined;
        if (this.#stopped) break;
        // The top-up joins the batch in hand: it takes no more of the cap.
        messages = messages.concat(await this.#queues.receive(queue, batchSize - messages.length, visibilityTimeoutMs, { ...capped, joinBatchOf: messages[0]!.id }));
        left = deadline - this.#clock.monotonic();
      }
    }
    if (this.#stopped && messages.length > 0) {
      // Never dispatched: give them back untouched rather than let their leases run out.
      await Promise.all(messages.map((m) => this.#queues.release(m.id, { countAttempt: false })));
      return [];
    }
    const batches: LeasedMessage[][] = [];
    for (let i = 0; i < messages.length; i += batchSize) batches.push(messages.slice(i, i + batchSize));
    return batches;
  }

  #dispatch(messages: LeasedMessage[], admission?: Admission): void {
    this.#invoking++;
    let invoking = true;
    const freeSlot = () => {
      if (!invoking) return;
      invoking = false;
      this.#invoking--;
      this.#schedulePump();
    };
    const batch: Promise<void> = this.#runBatch(messages, this.#settings, this.#handler, freeSlot, admission)
      .catch((error) => this.#onError(error))
      .finally(() => {
        freeSlot();
        this.#batches.delete(batch);
      });
    this.#batches.add(batch);
  }

  /**
   * Refills a freed slot right after the batch's own continuation, so the
   * receive joins the group transaction that commits the batch's acks.
   */
  #schedulePump(): void {
    if (this.#pumpScheduled || this.#stopped) return;
    this.#pumpScheduled = true;
    queueMicrotask(() => {
      this.#pumpScheduled = false;
      void this.#pump();
    });
  }

  async #runBatch(
    messages: LeasedMessage[], settings: ResolvedQueueSettings, handler: BatchHandler, freeSlot: () => void, admission?: Admission,
  ): Promise<void> {
    const { maxAttempts } = settings;
    const settling: Promise<void>[] = [];
    // Leases that ran out count as attempts: a message that kills its consumer every time ends here.
    const live = messages.filter((m) => {
      if (m.attempts < maxAttempts) return true;
      settling.push(this.#deadLetter(m, m.lastError ?? 'no attempts left', false, settings, handler));
      return false;
    });
    if (live.length === 0) admission?.cancel();
    if (live.length > 0) {
      let outcome: BatchOutcome;
      try {
        outcome = await handler.run(live, admission);
      } catch (error) {
        // Permits the invocation never took over (the handler failed before it) go back; a second cancel does nothing.
        admission?.cancel();
        outcome = { failed: new Map(live.map((m) => [m.id, errorMessage(error)])) };
      }
      if (outcome.throttled) {
        settling.push(...live.map((m) => this.#queues.release(m.id, { delayMs: THROTTLED_RETRY_DELAY_MS, countAttempt: false })));
        await Promise.all(settling);
        // The function is at its cap: keep this slot idle for a while instead of refilling it at once.
        await this.#sleep(THROTTLED_RETRY_DELAY_MS);
        return;
      }
      const { failed, retryDelayMs } = outcome;
      settling.push(this.#queues.ack(live.filter((m) => !failed.has(m.id)).map((m) => m.id)));
      for (const m of live) {
        const error = failed.get(m.id);
        if (error === undefined) continue;
        const attempts = m.attempts + 1;
        settling.push(
          attempts >= maxAttempts
            ? this.#deadLetter(m, error, true, settings, handler)
            : this.#queues.release(m.id, { delayMs: retryDelayMs?.get(m.id) ?? backoffDelayMs(attempts, settings.backoff, this.#random), countAttempt: true, error }),
        );
      }
    }
    // The invocation is over: refill its slot while the acks commit (in the same transaction as the next receive).
    freeSlot();
    await Promise.all(settling);
  }

  async #deadLetter(m: LeasedMessage, error: string, countAttempt: boolean, settings: ResolvedQueueSettings, handler: BatchHandler): Promise<void> {
    await this.#queues.deadLetter(m.id, error, { queue: settings.deadLetterQueue, countAttempt });
    await handler.deadLettered?.(m, error);
  }

  /** How long to sleep with nothing to do: until the next delayed message or lease is due, at most a poll interval. */
  async #idleMs(): Promise<number> {
    const next = await this.#queues.nextVisibleAt(this.queue);
    if (next === null) return this.#pollIntervalMs;
    return Math.max(0, Math.min(this.#pollIntervalMs, next - this.#clock.now()));
  }

  /** Sleeps on the clock; `stop()` (or whoever gets `cut`) ends it early. */
  #sleep(ms: number, expose?: (cut: () => void) => void): Promise<void> {
    return new Promise((resolve) => {
      const cut = () => {
        this.#sleeps.delete(cut);
        this.#clock.clearTimeout(timer);
        resolve();
      };
      const timer = this.#timer(cut, ms);
      this.#sleeps.add(cut);
      expose?.(cut);
    });
  }

  #timer(fn: () => void, ms: number): TimerHandle {
    const timer = this.#clock.setTimeout(fn, ms);
    timer.unref();
    return timer;
  }

  #clearIdleTimer(): void {
    if (this.#idleTimer) this.#clock.clearTimeout(this.#idleTimer);
    this.#idleTimer = undefined;
  }
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
