import type { BlobEventLog, BlobEventRecord } from '../../blobs/blob-event-log.js';
import type { Clock, TimerHandle } from '../../shared/clock.js';
import type { BlobEvent, BlobSettings } from '../../sdk/definition.js';
import { backoffDelayMs } from '../retry-policy.js';
import { validateBlobSettings, type ResolvedBlobTrigger } from './blob-settings.js';

export const DEFAULT_FANOUT_CURSOR = 'blob-fanout';
/** Catches events written by another process, which no in-process wake-up reports. */
export const DEFAULT_POLL_INTERVAL_MS = 1_000;
export const DEFAULT_READ_BATCH = 256;
/** Bound on the wait between retries while the sink keeps failing. */
export const MAX_SINK_RETRY_MS = 30_000;

/** Writes bodies durably to a queue; resolves only once they are stored. */
export type BlobEventSink = (queueName: string, bodies: unknown[]) => Promise<void>;

/** One deployed blob() function, as the live versions declare it. */
export interface BlobTriggerBinding {
  app: string;
  functionName: string;
  version: number;
  settings: BlobSettings;
}

export interface BlobEventFanoutOptions {
  events: BlobEventLog;
  enqueue: BlobEventSink;
  clock: Clock;
  cursorName?: string;
  pollIntervalMs?: number;
  batchSize?: number;
  /** Told about each failed pass (the pass is retried); default: ignored. */
  onError?: (err: unknown) => void;
}

/** The queue a blob function's events wait in; its consumer retries and dead-letters them. */
export function blobQueueName(app: string, functionName: string): string {
  return `_blob.${app}.${functionName}`;
}

interface CompiledTrigger {
  queue: string;
  trigger: ResolvedBlobTrigger;
}

/**
 * Turns the blob event log into queue messages: each event that matches a
 * trigger (bucket, path pattern, event type) becomes a BlobEvent in that
 * function's queue. The cursor moves only after the sink resolved, so a crash
 * or a failing sink re-delivers (at least once) rather than loses.
 */
export class BlobEventFanout {
  readonly #events: BlobEventLog;
  readonly #enqueue: BlobEventSink;
  readonly #clock: Clock;
  readonly #cursorName: string;
  readonly #pollIntervalMs: number;
  readonly #batchSize: number;
  readonly #onError: (err: unknown) => void;
  #triggers: CompiledTrigger[] = [];
  #lock: Promise<unknown> = Promise.resolve();
  #running: Promise<void> | null = null;
  #wakeAgain = false;
  #failures = 0;
  #timer: TimerHandle | null = null;
  #unsubscribe: (() => void) | null = null;
  #started = false;

  constructor(options: BlobEventFanoutOptions) {
    this.#events = options.events;
    this.#enqueue = options.enqueue;
    this.#clock = options.clock;
    this.#cursorName = options.cursorName ?? DEFAULT_FANOUT_CURSOR;
    this.#pollIntervalMs = options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS;
    this.#batchSize = options.batchSize ?? DEFAULT_READ_BATCH;
    this.#onError = options.onError ?? (() => undefined);
  }

  /** Replaces the set of triggers (call after each deploy, rollback or removal). Throws, changing nothing, if one is invalid. */
  sync(triggers: BlobTriggerBinding[]): void {
    this.#triggers = triggers.map((t) => {
      if (typeof t.app !== 'string' || t.app === '' || typeof t.functionName !== 'string' || t.functionName === '') {
        throw new TypeError('each trigger needs an app and a functionName');
      }
      return { queue: blobQueueName(t.app, t.functionName), trigger: validateBlobSettings(t.settings) };
    });
    this.#wake();
  }

  /** Starts handing on events: at once, then on every in-process event, and by polling. */
  start(): void {
    if (this.#started) return;
    this.#started = true;
    this.#unsubscribe = this.#events.onEvent(() => this.#wake());
    this.#wake();
  }

  /** Stops waking; resolves when the pass under way (if any) has finished. */
  async stop(): Promise<void> {
    this.#started = false;
    this.#unsubscribe?.();
    this.#unsubscribe = null;
    this.#clearTimer();
    await this.#running;
  }

  /** Hands on every event after the cursor, now. Resolves with how many events were read; rejects if the sink failed. */
  drain(): Promise<number> {
    const pass = this.#lock.then(() => this.#drainUnlocked());
    this.#lock = pass.catch(() => undefined);
    return pass;
  }

  async #drainUnlocked(): Promise<number> {
    let total = 0;
    for (;;) {
      const batch = await this.#events.readAfter(this.#cursorName, this.#batchSize);
      if (batch.length === 0) return total;
      const byQueue = this.#route(batch);
      // Queue by queue, in event order; any failure leaves the cursor where it was.
      for (const [queue, bodies] of byQueue) await this.#enqueue(queue, bodies);
      await this.#events.advance(this.#cursorName, (batch[batch.length - 1] as BlobEventRecord).position);
      total += batch.length;
      if (batch.length < this.#batchSize) return total;
    }
  }

  #route(batch: BlobEventRecord[]): Map<string, BlobEvent[]> {
    const byQueue = new Map<string, BlobEvent[]>();
    for (const event of batch) {
      for (const { queue, trigger } of this.#triggers) {
        if (trigger.bucket !== event.bucket || !trigger.events.includes(event.eventType)) continue;
        const params = trigger.pattern.match(event.key);
        if (!params) continue;
        const body: BlobEvent = {
          bucket: event.bucket, key: event.key, eventType: event.eventType, size: event.size,
          etag: event.etag, contentType: event.contentType, sequencer: event.sequencer, params,
        };
        const bodies = byQueue.get(queue);
        if (bodies) bodies.push(body);
        else byQueue.set(queue, [body]);
      }
    }
    return byQueue;
  }

  #wake(): void {
    if (!this.#started) return;
    if (this.#running) {
      this.#wakeAgain = true;
      return;
    }
    this.#running = this.#loop().finally(() => {
      this.#running = null;
    });
  }

  async #loop(): Promise<void> {
    this.#clearTimer();
    do {
      this.#wakeAgain = false;
      try {
        await this.drain();
        this.#failures = 0;
      } catch (err) {
        this.#failures++;
        this.#onError(err);
        this.#schedule(backoffDelayMs(this.#failures, { initialMs: this.#pollIntervalMs, maxMs: MAX_SINK_RETRY_MS }));
        return;
      }
    } while (this.#wakeAgain && this.#started);
    this.#schedule(this.#pollIntervalMs);
  }

  #schedule(ms: number): void {
    if (!this.#started) return;
    this.#clearTimer();
    this.#timer = this.#clock.setTimeout(() => {
      this.#timer = null;
      this.#wake();
    }, ms);
    this.#timer.unref();
  }

  #clearTimer(): void {
    if (this.#timer) this.#clock.clearTimeout(this.#timer);
    this.#timer = null;
  }
}
