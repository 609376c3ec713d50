import { z } from 'zod';
import { adminRoute } from '../admin-route.js';
import { epochMs, nextCursor, pageQuery } from './common.js';

/** Queue API request bodies: up to 1,000 messages of up to 256 KiB each is the store's own limit. */
export const MAX_QUEUE_REQUEST_BYTES = 16 * 1024 * 1024;

const newMessage = z.object({
  body: z.unknown().describe('any JSON value'),
  delayMs: z.number().int().min(0).optional(),
  dedupId: z.string().optional(),
  priority: z.number().int().optional(),
});
/** Documents what queue-api's messagesOf accepts (its own messages name the field). */
export const sendMessagesBody = z.union([z.object({ messages: z.array(newMessage).min(1).max(1000) }), newMessage]);

const queueStats = z.looseObject({
  name: z.string(), internal: z.boolean(), depth: z.number(), inFlight: z.number(), delayed: z.number(), deadLettered: z.number(), oldestAgeMs: z.number().nullable(),
});
const peekedMessage = z.looseObject({
  id: z.string(), queue: z.string(), body: z.unknown(), attempts: z.number(), lastError: z.string().nullable(), priority: z.number(),
  enqueuedAt: epochMs, state: z.string(), visibleAt: epochMs, deadLetteredFrom: z.string().nullable(),
});

export const queueRoutes = {
  list: adminRoute({
    method: 'GET', path: '/queues', summary: 'Queues (by name) with depth, in flight, delayed, dead-lettered and oldest message age', query: pageQuery,
    response: z.object({ queues: z.array(queueStats), nextCursor }),
  }),
  send: adminRoute({
    method: 'POST', path: '/queues/:queue/messages', summary: 'Send one message {body, delayMs?, dedupId?, priority?} or {messages: [...]}; producer keys allowed',
    body: sendMessagesBody, maxBodyBytes: MAX_QUEUE_REQUEST_BYTES, response: z.object({ messages: z.array(z.object({ id: z.string(), duplicate: z.boolean() })) }), statuses: [201],
  }),
  peek: adminRoute({
    method: 'GET', path: '/queues/:queue/messages', summary: 'Peek at messages without taking them', query: { limit: '1..100, default 10' },
    response: z.object({ messages: z.array(peekedMessage) }),
  }),
  purge: adminRoute({ method: 'DELETE', path: '/queues/:queue/messages', summary: 'Purge a queue', response: z.object({ purged: z.number() }) }),
  redrive: adminRoute({ method: 'POST', path: '/queues/:queue/redrive', summary: 'Move dead letters back to their queue', response: z.object({ redriven: z.number() }) }),
  asyncResult: adminRoute({
    method: 'GET', path: '/invocations/:id', summary: 'The result of an asynchronous invocation',
    response: z.looseObject({ invocationId: z.string(), app: z.string(), functionName: z.string(), state: z.string(), attempts: z.number(), status: z.number().nullable() }),
  }),
};
