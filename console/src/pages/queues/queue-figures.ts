import type { ResponseOf } from '../../api/endpoints.js';
import { routes } from '../../api/endpoints.js';

export type QueueStats = ResponseOf<typeof routes.queues.list>['queues'][number];
export type PeekedMessage = ResponseOf<typeof routes.queues.peek>['messages'][number];

/** Every message a purge removes: ready, in flight and delayed (docs/queues.md). */
export function messagesIn(q: QueueStats): number {
  return q.depth + q.inFlight + q.delayed;
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** A message body as people read it: JSON, indented; a string as itself. */
export function bodyText(body: unknown): string {
  if (typeof body === 'string') return body;
  return JSON.stringify(body, null, 2) ?? String(body);
}
