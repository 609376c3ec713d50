import type { FunctionQueues } from '../../context.js';
import { encodeQueueBody } from './queue-body.js';

export type QueueContentType = 'text' | 'bytes' | 'json' | 'v8';

export interface QueueSendOptions {
  contentType?: QueueContentType;
  delaySeconds?: number;
}

export interface MessageSendRequest<Body = unknown> {
  body: Body;
  contentType?: QueueContentType;
  delaySeconds?: number;
}

/** A queue producer binding (`env.JOBS`), sending to the Nimbus queue the binding names. */
export interface Queue<Body = unknown> {
  send(body: Body, options?: QueueSendOptions): Promise<void>;
  sendBatch(messages: Iterable<MessageSendRequest<Body>>, options?: { delaySeconds?: number }): Promise<void>;
}

export interface ProducerBinding {
  queue: string;
  /** wrangler's `delivery_delay`: the delay of a send that names none (seconds). */
  deliveryDelay?: number;
}

export function queueProducer(queues: FunctionQueues, binding: ProducerBinding): Queue {
  const delayMs = (seconds: number | undefined): { delayMs?: number } => {
    const delay = seconds ?? binding.deliveryDelay;
    if (delay === undefined || delay === 0) return {};
    if (typeof delay !== 'number' || !Number.isFinite(delay) || delay < 0) throw new TypeError(`delaySeconds must be a number of seconds ≥ 0, not ${String(delay)}`);
    return { delayMs: Math.round(delay * 1000) };
  };
  return {
    async send(body, options) {
      await queues.send(binding.queue, encodeQueueBody(body), delayMs(options?.delaySeconds));
    },
    async sendBatch(messages, options) {
      const batch = [...messages].map((m) => ({ body: encodeQueueBody(m.body), ...delayMs(m.delaySeconds ?? options?.delaySeconds) }));
      if (batch.length > 0) await queues.sendBatch(binding.queue, batch);
    },
  };
}
