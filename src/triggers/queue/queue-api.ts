import { NimbusError } from '../../shared/errors.js';
import { DEAD_LETTER_SUFFIX, isInternalQueueName, validateExistingQueueName, type NewMessage, type QueueStore } from '../../store/queue-store.js';

/** Most messages one POST may carry. */
export const MAX_MESSAGES_PER_REQUEST = 1_000;
export const DEFAULT_PEEK_LIMIT = 10;
export const MAX_PEEK_LIMIT = 100;

export interface QueueApiAnswer {
  status: number;
  body: unknown;
}

/**
 * The queue endpoints of the admin API, below `/_nimbus/api/v1`, free of any
 * HTTP framework: the gateway authenticates, parses the JSON body, splits and
 * decodes the path, and turns a thrown NimbusError into its answer.
 *
 *   GET    queues                        → 200 { queues: QueueStats[] }
 *   POST   queues/<name>/messages        → 201 { messages: [{ id, duplicate }] }
 *   GET    queues/<name>/messages?limit= → 200 { messages: PeekedMessage[] }
 *   DELETE queues/<name>/messages        → 200 { purged: n }
 *   POST   queues/<name>/redrive         → 200 { redriven: n }
 */
export type QueueApiHandler = (
  method: string,
  pathParts: string[],
  body: unknown,
  query?: URLSearchParams,
) => Promise<QueueApiAnswer>;

export interface QueueApiOptions {
  /** Queues that deployed functions consume: they exist before their first message. */
  consumed?: () => Iterable<string>;
}

export function createQueueApi(queues: QueueStore, options: QueueApiOptions = {}): QueueApiHandler {
  /**
   * Peek, purge and redrive name a queue that must exist: one that has had a
   * message (or dead letter) or that a deployed function consumes. Sending
   * needs no such queue: the first message makes it.
   */
  const requireQueue = async (name: string): Promise<void> => {
    // The platform's own queues (async invocations) come and go with their functions: operators may always look.
    if (isInternalQueueName(name)) return;
    // A dead-letter queue exists as soon as the queue it serves does.
    const names = name.endsWith(DEAD_LETTER_SUFFIX) ? [name, name.slice(0, -DEAD_LETTER_SUFFIX.length)] : [name];
    const consumed = new Set(options.consumed?.() ?? []);
    if (names.some((n) => consumed.has(n))) return;
    if ((await queues.listQueues()).some((q) => names.includes(q.name))) return;
    throw new NimbusError('NIMBUS_ERR_QUEUE_NOT_FOUND', name);
  };
  return async (method, pathParts, body, query) => {
    // Tolerate a query string left on the last part.
    const last = pathParts.at(-1) ?? '';
    const q = last.indexOf('?');
    if (q >= 0) {
      query ??= new URLSearchParams(last.slice(q + 1));
      pathParts = [...pathParts.slice(0, -1), last.slice(0, q)];
    }
    const [root, name, action, ...rest] = pathParts;
    if (root !== 'queues' || rest.length > 0) throw new NimbusError('NIMBUS_ERR_API_NOT_FOUND');
    if (name === undefined || name === '') {
      if (action !== undefined) throw new NimbusError('NIMBUS_ERR_API_NOT_FOUND');
      allow(method, ['GET']);
      return { status: 200, body: { queues: await queues.listQueues() } };
    }
    if (action === 'messages') {
      allow(method, ['GET', 'POST', 'DELETE']);
      if (method === 'POST') {
        // Senders may not write to the platform's internal queues; send() refuses them.
        return { status: 201, body: { messages: await queues.send(name, messagesOf(body)) } };
      }
      validateExistingQueueName(name);
      const limit = method === 'GET' ? peekLimit(query?.get('limit') ?? null) : 0;
      await requireQueue(name);
      if (method === 'GET') return { status: 200, body: { messages: await queues.peek(name, limit) } };
      return { status: 200, body: { purged: await queues.purge(name) } };
    }
    if (action === 'redrive') {
      allow(method, ['POST']);
      validateExistingQueueName(name);
      await requireQueue(name);
      return { status: 200, body: { redriven: await queues.redrive(name) } };
    }
    throw new NimbusError('NIMBUS_ERR_API_NOT_FOUND');
  };
}

function allow(method: string, methods: string[]): void {
  if (!methods.includes(method.toUpperCase())) {
    throw new NimbusError('NIMBUS_ERR_METHOD_NOT_ALLOWED', `use ${methods.join(', ')}`, { allow: methods });
  }
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
