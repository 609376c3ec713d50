import { enc, type AdminTransport } from './admin-transport.js';

/** The admin API answers with the store's own shape. */
export type { QueueStats } from '../../store/queue-store.js';
import type { QueueStats } from '../../store/queue-store.js';

export interface NewMessage {
  body: unknown;
  delayMs?: number;
  dedupId?: string;
  priority?: number;
}

export type { PeekedMessage } from '../../store/queue-store.js';
import type { PeekedMessage } from '../../store/queue-store.js';

/** The queue endpoints of the admin API (docs/queues.md). */
export class QueuesClient {
  constructor(readonly transport: AdminTransport) {}

  async list(): Promise<QueueStats[]> {
    return (await this.transport.json<{ queues: QueueStats[] }>('GET', '/queues')).queues;
  }

  async send(queue: string, message: NewMessage): Promise<{ id: string; duplicate: boolean }> {
    const { messages } = await this.transport.json<{ messages: { id: string; duplicate: boolean }[] }>('POST', `/queues/${enc(queue)}/messages`, {
      json: { messages: [message] },
    });
    return messages[0]!;
  }

  async peek(queue: string, limit?: number): Promise<PeekedMessage[]> {
    return (await this.transport.json<{ messages: PeekedMessage[] }>('GET', `/queues/${enc(queue)}/messages`, { query: { limit } })).messages;
  }

  async purge(queue: string): Promise<number> {
    return (await this.transport.json<{ purged: number }>('DELETE', `/queues/${enc(queue)}/messages`)).purged;
  }

  async redrive(queue: string): Promise<number> {
    return (await this.transport.json<{ redriven: number }>('POST', `/queues/${enc(queue)}/redrive`)).redriven;
  }
}
