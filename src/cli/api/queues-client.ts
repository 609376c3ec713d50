import { queueRoutes } from '../../gateway/admin-routes/queues.js';
import type { AdminTransport } from './admin-transport.js';

import type { RouteOutput } from './route-call.js';

/** The shapes the queue routes declare. */
export type QueueStats = RouteOutput<typeof queueRoutes.list>['queues'][number];
export type PeekedMessage = RouteOutput<typeof queueRoutes.peek>['messages'][number];

export interface NewMessage {
  body: unknown;
  delayMs?: number;
  dedupId?: string;
  priority?: number;
}


/** The queue endpoints of the admin API (docs/queues.md). */
export class QueuesClient {
  constructor(readonly transport: AdminTransport) {}

  async list(): Promise<QueueStats[]> {
    return (await this.transport.call(queueRoutes.list, {})).queues;
  }

  async send(queue: string, message: NewMessage): Promise<{ id: string; duplicate: boolean }> {
    const { messages } = await this.transport.call(queueRoutes.send, { params: { queue }, body: { messages: [message] } });
    return messages[0]!;
  }

  async peek(queue: string, limit?: number): Promise<PeekedMessage[]> {
    return (await this.transport.call(queueRoutes.peek, { params: { queue }, query: { limit } })).messages;
  }

  async purge(queue: string): Promise<number> {
    return (await this.transport.call(queueRoutes.purge, { params: { queue } })).purged;
  }

  async redrive(queue: string): Promise<number> {
    return (await this.transport.call(queueRoutes.redrive, { params: { queue } })).redriven;
  }
}
