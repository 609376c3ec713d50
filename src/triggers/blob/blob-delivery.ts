import type { BlobSettings } from '../../sdk/definition.js';
import type { EventInvoker } from '../../runtime/event-invoker.js';
import type { ConsumerSpec } from '../queue/consumer-group.js';
import type { BatchHandler } from '../queue/queue-consumer.js';
import { admitOf } from '../queue/queue-trigger.js';
import { resolveQueueSettings, type ResolvedQueueSettings } from '../queue/settings.js';
import { blobQueueName, type BlobTriggerBinding } from './blob-event-fanout.js';
import { validateBlobSettings } from './blob-settings.js';

/** Events of one blob function in flight at once, at most (its instance cap still applies). */
const MAX_BLOB_DELIVERY_CONCURRENCY = 64;

/**
 * The consumer settings of a blob function's internal queue. Throws
 * NIMBUS_ERR_DEPLOY_INVALID_DEFINITION when they cannot work, which the
 * deploy checks before a version goes live.
 */
export function blobDeliverySettings(
  binding: Pick<BlobTriggerBinding, 'app' | 'functionName' | 'settings'>,
  limits: { maxInstances: number; concurrency: number; timeoutMs: number },
): ResolvedQueueSettings {
  const trigger = validateBlobSettings(binding.settings as BlobSettings);
  return resolveQueueSettings({
    queue: blobQueueName(binding.app, binding.functionName),
    batchSize: 1,
    maxBatchWaitMs: 0,
    maxConcurrency: Math.min(MAX_BLOB_DELIVERY_CONCURRENCY, limits.maxInstances * limits.concurrency),
    maxAttempts: trigger.maxAttempts,
    backoff: trigger.backoff,
    // The lease must outlive the invocation, or a slow handler's event would be handed out twice.
    visibilityTimeoutMs: Math.max(30_000, limits.timeoutMs + 10_000),
  }, { internal: true });
}

/**
 * Blob events wait in their function's internal queue (`_blob.<app>.<fn>`);
 * this turns each into one `trigger: 'blob'` invocation, so blob triggers get
 * the queue triggers' delivery promise: at least once, backoff, dead-letter.
 */
export function blobDeliverySpec(
  invoker: EventInvoker,
  binding: BlobTriggerBinding,
  limits: { maxInstances: number; concurrency: number; timeoutMs: number },
  /** Told how long each event waited between its write and its handler's start (ms). */
  observeLag: (ms: number) => void = () => {},
  now: () => number = Date.now,
): ConsumerSpec {
  const settings = blobDeliverySettings(binding, limits);
  const handler: BatchHandler = {
    ...admitOf(invoker, binding),
    async run(messages, admission) {
      const message = messages[0]!;
      // Events are queued the moment they are written, so the message's age is the event's.
      if (message.attempts === 0) observeLag(now() - message.enqueuedAt);
      const result = await invoker.invokeEvent({
        app: binding.app, functionName: binding.functionName, version: binding.version, trigger: 'blob', payload: message.body, ...(admission ? { admission } : {}),
      });
      if (result.outcome === 'throttled') return { throttled: true };
      if (result.outcome === 'ok') return { failed: new Map() };
      return { failed: new Map([[message.id, result.error ?? `the invocation ended with outcome "${result.outcome}"`]]) };
    },
  };
  return { key: `${binding.app}/${binding.functionName}`, settings, handler };
}
