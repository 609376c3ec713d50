import { z } from 'zod';
import { NimbusError } from '../../shared/errors.js';
import type { QueueSettings } from '../../sdk/definition.js';
import { deadLetterQueueName, existingQueueNameProblem, queueNameProblem } from '../../store/queue-store.js';
import { DEFAULT_BACKOFF, DEFAULT_MAX_ATTEMPTS, type BackoffSettings } from '../retry-policy.js';

export const DEFAULT_BATCH_SIZE = 10;
export const MAX_BATCH_SIZE = 1_000;
export const DEFAULT_MAX_BATCH_WAIT_MS = 50;
/** Batches in flight across all of the function's instances. */
export const DEFAULT_MAX_CONCURRENCY = 4;
export const DEFAULT_VISIBILITY_TIMEOUT_MS = 30_000;
export const MAX_BATCH_WAIT_MS = 60_000;
export const MAX_CONSUMER_CONCURRENCY = 1_000;
export const MAX_QUEUE_ATTEMPTS = 1_000;
export const MAX_QUEUE_BACKOFF_MS = 24 * 60 * 60_000;
export const MIN_VISIBILITY_TIMEOUT_MS = 1_000;
export const MAX_VISIBILITY_TIMEOUT_MS = 12 * 60 * 60_000;
const MAX_QUEUE_NAME_LENGTH = 200;

/** The queue trigger's own settings, every default applied. */
export interface ResolvedQueueSettings {
  queue: string;
  batchSize: number;
  maxBatchWaitMs: number;
  maxConcurrency: number;
  maxAttempts: number;
  backoff: BackoffSettings;
  visibilityTimeoutMs: number;
  deadLetterQueue: string;
}

const wholeMs = (max: number) => z.number().int().min(0).max(max);

/** The trigger part of a `queue()` definition; the shared FunctionSettings are checked elsewhere. */
export const queueTriggerSchema = z.object({
  // Names are checked below; bounded first so an error never echoes megabytes back.
  queue: z.string().max(MAX_QUEUE_NAME_LENGTH),
  batchSize: z.number().int().min(1).max(MAX_BATCH_SIZE).default(DEFAULT_BATCH_SIZE),
  maxBatchWaitMs: wholeMs(MAX_BATCH_WAIT_MS).default(DEFAULT_MAX_BATCH_WAIT_MS),
  maxConcurrency: z.number().int().min(1).max(MAX_CONSUMER_CONCURRENCY).default(DEFAULT_MAX_CONCURRENCY),
  maxAttempts: z.number().int().min(1).max(MAX_QUEUE_ATTEMPTS).default(DEFAULT_MAX_ATTEMPTS),
  backoff: z
    .object({
      initialMs: wholeMs(MAX_QUEUE_BACKOFF_MS).default(DEFAULT_BACKOFF.initialMs),
      maxMs: wholeMs(MAX_QUEUE_BACKOFF_MS).default(DEFAULT_BACKOFF.maxMs),
    })
    .default({ ...DEFAULT_BACKOFF }),
  visibilityTimeoutMs: z.number().int().min(MIN_VISIBILITY_TIMEOUT_MS).max(MAX_VISIBILITY_TIMEOUT_MS).default(DEFAULT_VISIBILITY_TIMEOUT_MS),
  deadLetterQueue: z.string().max(MAX_QUEUE_NAME_LENGTH).optional(),
});

/**
 * The queue trigger's own field names, for a deploy to refuse any other. The
 * schema itself stays lenient: it also reads stored manifests and derived
 * settings, which a deploy's strictness is not for.
 */
export const QUEUE_TRIGGER_FIELDS: readonly string[] = Object.keys(queueTriggerSchema.shape);

/**
 * Applies the defaults and checks ranges and queue names. Throws
 * NIMBUS_ERR_DEPLOY_INVALID_DEFINITION naming the field.
 */
export function resolveQueueSettings(settings: QueueSettings | Record<string, unknown>, options: { internal?: boolean } = {}): ResolvedQueueSettings {
  const invalid = (field: string, problem: string) => new NimbusError('NIMBUS_ERR_DEPLOY_INVALID_DEFINITION', `${field}: ${problem}`, { field });
  const parsed = queueTriggerSchema.safeParse(settings);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw invalid(issue.path.join('.'), issue.message);
  }
  const s = parsed.data;
  const queueProblem = queueNameProblem(s.queue, options);
  if (queueProblem) throw invalid('queue', queueProblem);
  const dlqProblem = s.deadLetterQueue === undefined ? null : existingQueueNameProblem(s.deadLetterQueue, options);
  if (dlqProblem) throw invalid('deadLetterQueue', dlqProblem);
  const deadLetterQueue = s.deadLetterQueue ?? deadLetterQueueName(s.queue);
  if (deadLetterQueue === s.queue) throw invalid('deadLetterQueue', 'must differ from queue');
  return { ...s, backoff: { ...s.backoff, maxMs: Math.max(s.backoff.maxMs, s.backoff.initialMs) }, deadLetterQueue };
}
