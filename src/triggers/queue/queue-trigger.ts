import type { Clock } from '../../shared/clock.js';
import type { QueueBatch, QueueSettings } from '../../sdk/definition.js';
import type { EventInvoker, EventResult } from '../../runtime/event-invoker.js';
import type { LeasedMessage, QueueStore } from '../../store/queue-store.js';
import { ConsumerGroup, DEFAULT_CLOSE_TIMEOUT_MS } from './consumer-group.js';
import type { BatchHandler, BatchOutcome } from './queue-consumer.js';
import { resolveQueueSettings } from './settings.js';

/** Recorded for messages a handler named in `{ failed: [ids] }`. */
export const REPORTED_FAILED_ERROR = 'the handler reported this message as failed';

/** One deployed queue-triggered function. */
export interface QueueTriggerBinding {
  app: string;
  functionName: string;
  version: number;
  settings: QueueSettings;
}

export interface QueueTriggerManagerOptions {
  queues: QueueStore;
  invoker: EventInvoker;
  clock: Clock;
  pollIntervalMs?: number;
  random?: () => number;
  /** Store failures, and bindings whose settings are not valid (they are skipped). */
  onError?: (error: unknown) => void;
}

/** Keeps one QueueConsumer per queue-triggered function, in step with what is deployed. */
export class QueueTriggerManager {
  readonly #invoker: EventInvoker;
  readonly #group: ConsumerGroup;
  readonly #onError: (error: unknown) => void;

  constructor(options: QueueTriggerManagerOptions) {
    this.#invoker = options.invoker;
    this.#onError = options.onError ?? ((error) => console.error('nimbus: queue trigger:', error));
    this.#group = new ConsumerGroup({ ...options, onError: this.#onError });
  }

  /** Starts, stops and reconfigures consumers so that exactly `bindings` run. */
  sync(bindings: QueueTriggerBinding[]): void {
    const specs = [];
    for (const binding of bindings) {
      try {
        const settings = resolveQueueSettings(binding.settings);
        specs.push({
          key: `${binding.app}/${binding.functionName}`,
          settings,
          handler: queueTriggerHandler(this.#invoker, binding, settings.queue),
        });
      } catch (error) {
        this.#onError(error);
      }
    }
    this.#group.sync(specs);
  }

  close(timeoutMs = DEFAULT_CLOSE_TIMEOUT_MS): Promise<void> {
    return this.#group.close(timeoutMs);
  }
}

/** A batch becomes one `trigger: 'queue'` event whose payload is the handler's QueueBatch. */
export function queueTriggerHandler(invoker: EventInvoker, binding: Omit<QueueTriggerBinding, 'settings'>, queue: string): BatchHandler {
  return {
    ...admitOf(invoker, binding),
    async run(messages, admission) {
      const payload: QueueBatch = {
        queue,
        messages: messages.map((m) => ({ id: m.id, body: m.body, attempt: m.attempts + 1, enqueuedAt: m.enqueuedAt })),
      };
      const result = await invoker.invokeEvent({
        app: binding.app, functionName: binding.functionName, version: binding.version, trigger: 'queue', payload, ...(admission ? { admission } : {}),
      });
      return batchOutcome(result, messages);
    },
  };
}

/** The handler's `admit`, when the invoker has budgets to wait for. */
export function admitOf(invoker: EventInvoker, target: { app: string; functionName: string; version?: number }): Pick<BatchHandler, 'admit'> {
  const admit = invoker.admit;
  return admit ? { admit: (signal) => admit.call(invoker, target, signal) } : {};
}

function batchOutcome(result: EventResult, messages: LeasedMessage[]): BatchOutcome {
  if (result.outcome === 'throttled') return { throttled: true };
  if (result.outcome === 'ok') {
    const value = result.value as { failed?: unknown; retryDelayMs?: unknown } | null | undefined;
    const reported = value?.failed;
    const inBatch = new Set(messages.map((m) => m.id));
    const failed = new Map<string, string>();
    if (Array.isArray(reported)) {
      for (const id of reported) if (typeof id === 'string' && inBatch.has(id)) failed.set(id, REPORTED_FAILED_ERROR);
    }
    const retryDelayMs = reportedDelays(value?.retryDelayMs, failed);
    return retryDelayMs ? { failed, retryDelayMs } : { failed };
  }
  const error = result.error ?? `the invocation ended with outcome "${result.outcome}"`;
  return { failed: new Map(messages.map((m) => [m.id, error])) };
}

/** The longest retry delay a handler may ask for one message (Cloudflare's own limit for a retry's delaySeconds). */
export const MAX_REPORTED_RETRY_DELAY_MS = 12 * 60 * 60 * 1000;

/** `retryDelayMs` of failed messages: whole milliseconds, 0 to MAX_REPORTED_RETRY_DELAY_MS; anything else is left to the backoff. */
function reportedDelays(raw: unknown, failed: ReadonlyMap<string, string>): Map<string, number> | undefined {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return undefined;
  const delays = new Map<string, number>();
  for (const [id, ms] of Object.entries(raw)) {
    if (!failed.has(id) || typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) continue;
    delays.set(id, Math.min(Math.round(ms), MAX_REPORTED_RETRY_DELAY_MS));
  }
  return delays.size > 0 ? delays : undefined;
}
