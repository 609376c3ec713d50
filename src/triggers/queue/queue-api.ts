import { NimbusError } from '../../shared/errors.js';
import type { AdminRouter } from '../../gateway/admin-router.js';
import { queueRoutes } from '../../gateway/admin-routes/queues.js';
import { pageOf, readPageQuery, type ListOrder } from '../../gateway/list-page.js';
import { DEAD_LETTER_SUFFIX, isInternalQueueName, validateExistingQueueName, type NewMessage, type QueueStats, type QueueStore } from '../../store/queue-store.js';

/** As both queue stores sort their list (localeCompare, not code units). */
const QUEUES_BY_NAME: ListOrder<QueueStats> = { position: (q) => [q.name], compare: (a, b) => String(a[0]).localeCompare(String(b[0])), shape: ['string'] };

/** Most messages one POST may carry. */
export const MAX_MESSAGES_PER_REQUEST = 1_000;
export const DEFAULT_PEEK_LIMIT = 10;
export const MAX_PEEK_LIMIT = 100;

/**
 * The queue endpoints of the admin API (routes in gateway/admin-routes/queues.ts):
 *
 *   GET    queues                        → 200 { queues: QueueStats[] }
 *   POST   queues/<name>/messages        → 201 { messages: [{ id, duplicate }] }
 *   GET    queues/<name>/messages?limit= → 200 { messages: PeekedMessage[] }
 *   DELETE queues/<name>/messages        → 200 { purged: n }
 *   POST   queues/<name>/redrive         → 200 { redriven: n }
 */
export interface QueueApiOptions {
  /** Queues that deployed functions consume: they exist before their first message. */
  consumed?: () => Iterable<string>;
}

export function addQueueApi(router: AdminRouter, queues: QueueStore, options: QueueApiOptions = {}): void {
  /**
   * Peek, purge and redrive name a queue that must exist: one that has had a
   * message (or dead letter) or that a deployed function consumes. Sending
   * needs no such queue: the first message makes it.
   */
  const requireQueue = async (name: string): Promise<void> => {
    validateExistingQueueName(name);
    // The platform's own queues (async invocations) come and go with their functions: operators may always look.
    if (isInternalQueueName(name)) return;
    // A dead-letter queue exists as soon as the queue it serves does.
    const names = name.endsWith(DEAD_LETTER_SUFFIX) ? [name, name.slice(0, -DEAD_LETTER_SUFFIX.length)] : [name];
    const consumed = new Set(options.consumed?.() ?? []);
    if (names.some((n) => consumed.has(n))) return;
    if ((await queues.listQueues()).some((q) => names.includes(q.name))) return;
    throw new NimbusError('NIMBUS_ERR_QUEUE_NOT_FOUND', name);
  };
  router.add(queueRoutes.list, async ({ query }) => {
    const page = pageOf(await queues.listQueues(), readPageQuery(query, QUEUES_BY_NAME), QUEUES_BY_NAME);
    return { status: 200, body: { queues: page.items, nextCursor: page.nextCursor } };
  });
  // Senders may not write to the platform's internal queues; send() refuses them.
  router.add(queueRoutes.send, async ({ params, body }) => ({ status: 201, body: { messages: await queues.send(params.queue, body as unknown as NewMessage[]) } }), {
    parseBody: messagesOf,
    auth: async (params) => ({ kind: 'send', queue: params['queue']! }),
  });
  router.add(queueRoutes.peek, async ({ params, query }) => {
    validateExistingQueueName(params.queue);
    const limit = peekLimit(query.get('limit'));
    await requireQueue(params.queue);
    return { status: 200, body: { messages: await queues.peek(params.queue, limit) } };
  });
  router.add(queueRoutes.purge, async ({ params }) => {
    await requireQueue(params.queue);
    return { status: 200, body: { purged: await queues.purge(params.queue) } };
  });
  router.add(queueRoutes.redrive, async ({ params }) => {
    await requireQueue(params.queue);
    return { status: 200, body: { redriven: await queues.redrive(params.queue) } };
  });
}

/** `{ messages: [...] }`, or one message `{ body, ... }`. */
function messagesOf(body: unknown): NewMessage[] {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new NimbusError('NIMBUS_ERR_BODY_INVALID', 'expected {"messages": [{"body": …}]} or {"body": …}');
  }
  if (!('messages' in body)) {
    if (!('body' in body)) throw new NimbusError('NIMBUS_ERR_BODY_INVALID', 'expected {"messages": [{"body": …}]} or {"body": …}');
    return [body as NewMessage];
  }
  const { messages } = body as { messages: unknown };
  if (!Array.isArray(messages) || messages.length === 0) {
    throw new NimbusError('NIMBUS_ERR_BODY_INVALID', 'messages must be a non-empty array', { field: 'messages' });
  }
  if (messages.length > MAX_MESSAGES_PER_REQUEST) {
    throw new NimbusError('NIMBUS_ERR_BODY_TOO_LARGE', `at most ${MAX_MESSAGES_PER_REQUEST} messages per request, got ${messages.length}`, {
      field: 'messages', limit: MAX_MESSAGES_PER_REQUEST,
    });
  }
  return messages as NewMessage[];
}

function peekLimit(raw: string | null): number {
  if (raw === null || raw === '') return DEFAULT_PEEK_LIMIT;
  const limit = Number(raw);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PEEK_LIMIT) {
    throw new NimbusError('NIMBUS_ERR_BODY_INVALID', `limit must be a whole number from 1 to ${MAX_PEEK_LIMIT}`, { field: 'limit' });
  }
  return limit;
}
