import type { Clock } from '../../shared/clock.js';
import { QueueConsumer, type BatchHandler, type QueueConsumerOptions } from './queue-consumer.js';
import type { ResolvedQueueSettings } from './settings.js';

/** How long `close()` waits for batches in flight by default. */
export const DEFAULT_CLOSE_TIMEOUT_MS = 30_000;

export interface ConsumerSpec {
  /** Identity across syncs, e.g. `app/function`. */
  key: string;
  settings: ResolvedQueueSettings;
  handler: BatchHandler;
}

export type ConsumerGroupOptions = Omit<QueueConsumerOptions, 'settings' | 'handler'>;

/**
 * The consumers that should be running, kept in step with a list of specs:
 * new keys start, missing keys stop (their batches finish), changed ones
 * take their new settings in place, or restart if their queue changed.
 */
export class ConsumerGroup {
  readonly #options: ConsumerGroupOptions;
  readonly #clock: Clock;
  readonly #consumers = new Map<string, QueueConsumer>();
  readonly #stopping = new Set<Promise<void>>();
  #closed = false;

  constructor(options: ConsumerGroupOptions) {
    this.#options = options;
    this.#clock = options.clock;
  }

  sync(specs: ConsumerSpec[]): void {
    if (this.#closed) throw new Error('the consumer group is closed');
    const wanted = new Map(specs.map((spec) => [spec.key, spec]));
    for (const [key, consumer] of this.#consumers) {
      if (wanted.get(key)?.settings.queue !== consumer.queue) this.#retire(key, consumer);
    }
    for (const spec of wanted.values()) {
      const current = this.#consumers.get(spec.key);
      if (current) {
        current.reconfigure(spec.settings, spec.handler);
      } else {
        const consumer = new QueueConsumer({ ...this.#options, consumer: spec.key, settings: spec.settings, handler: spec.handler });
        this.#consumers.set(spec.key, consumer);
        consumer.start();
      }
    }
  }

  /** Starts the consumer of one spec unless it runs already (a running one keeps its settings). */
  ensure(spec: ConsumerSpec): void {
    if (this.#closed || this.#consumers.has(spec.key)) return;
    const consumer = new QueueConsumer({ ...this.#options, consumer: spec.key, settings: spec.settings, handler: spec.handler });
    this.#consumers.set(spec.key, consumer);
    consumer.start();
  }

  /** Stops one consumer (its batches in flight finish); nothing when it does not run. */
  stop(key: string): void {
    const consumer = this.#consumers.get(key);
    if (consumer) this.#retire(key, consumer);
  }

  has(key: string): boolean {
    return this.#consumers.has(key);
  }

  /** Consumers running now. */
  get size(): number {
    return this.#consumers.size;
  }

  /** The keys of the consumers running now. */
  keys(): string[] {
    return [...this.#consumers.keys()];
  }

  /** Stops every consumer and waits for batches in flight, at most `timeoutMs`; their leases cover the rest. */
  async close(timeoutMs = DEFAULT_CLOSE_TIMEOUT_MS): Promise<void> {
    this.#closed = true;
    for (const [key, consumer] of this.#consumers) this.#retire(key, consumer);
    let timer: ReturnType<Clock['setTimeout']> | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = this.#clock.setTimeout(resolve, timeoutMs);
      timer.unref();
    });
    await Promise.race([Promise.allSettled([...this.#stopping]), timeout]);
    if (timer) this.#clock.clearTimeout(timer);
  }

  #retire(key: string, consumer: QueueConsumer): void {
    this.#consumers.delete(key);
    const stopped = consumer.stop().finally(() => this.#stopping.delete(stopped));
    this.#stopping.add(stopped);
  }
}
