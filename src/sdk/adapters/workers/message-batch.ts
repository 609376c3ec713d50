import type { QueueBatch, QueueResult } from '../../definition.js';
import { decodeQueueBody } from './queue-body.js';

export interface QueueRetryOptions {
  delaySeconds?: number;
}

/** One message of a batch, as a Worker's queue() handler sees it. */
export interface Message<Body = unknown> {
  readonly id: string;
  readonly timestamp: Date;
  readonly body: Body;
  /** 1 on the first delivery. */
  readonly attempts: number;
  ack(): void;
  retry(options?: QueueRetryOptions): void;
}

export interface MessageBatch<Body = unknown> {
  readonly queue: string;
  readonly messages: readonly Message<Body>[];
  ackAll(): void;
  retryAll(options?: QueueRetryOptions): void;
}

type Decision = { ack: true } | { ack: false; delaySeconds?: number };

/**
 * A Nimbus batch as Cloudflare's MessageBatch, and what the handler decided
 * for each message. Cloudflare's rules: a message's own ack()/retry() wins
 * over the batch's ackAll()/retryAll(), and the first call of each kind wins;
 * a message nobody decided is acknowledged when the handler returns, and
 * retried when it throws.
 */
export class BatchDecisions {
  readonly batch: MessageBatch;
  readonly #own = new Map<string, Decision>();
  #all: Decision | undefined;
  readonly #ids: string[];

  constructor(batch: QueueBatch) {
    this.#ids = batch.messages.map((m) => m.id);
    const decide = (id: string, decision: Decision): void => {
      if (!this.#own.has(id)) this.#own.set(id, decision);
    };
    this.batch = {
      queue: batch.queue,
      messages: batch.messages.map((m) => ({
        id: m.id,
        timestamp: new Date(m.enqueuedAt),
        body: decodeQueueBody(m.body),
        attempts: m.attempt,
        ack: () => decide(m.id, { ack: true }),
        retry: (options) => decide(m.id, retryDecision(options)),
      })),
      ackAll: () => {
        this.#all ??= { ack: true };
      },
      retryAll: (options) => {
        this.#all ??= retryDecision(options);
      },
    };
  }

  /** True when the handler acknowledged or retried anything explicitly. */
  get explicit(): boolean {
    return this.#own.size > 0 || this.#all !== undefined;
  }

  /** The Nimbus queue result: the messages to retry, with the delays they asked for. */
  result(threw: boolean): QueueResult {
    const failed: string[] = [];
    const retryDelayMs: Record<string, number> = {};
    for (const id of this.#ids) {
      const decision: Decision = this.#own.get(id) ?? this.#all ?? (threw ? { ack: false } : { ack: true });
      if (decision.ack) continue;
      failed.push(id);
      if (decision.delaySeconds !== undefined) retryDelayMs[id] = decision.delaySeconds * 1000;
    }
    if (failed.length === 0) return undefined;
    return Object.keys(retryDelayMs).length > 0 ? { failed, retryDelayMs } : { failed };
  }
}

function retryDecision(options: QueueRetryOptions | undefined): Decision {
  const delay = options?.delaySeconds;
  if (delay === undefined) return { ack: false };
  if (typeof delay !== 'number' || !Number.isFinite(delay) || delay < 0) throw new TypeError(`delaySeconds must be a number of seconds ≥ 0, not ${String(delay)}`);
  return { ack: false, delaySeconds: delay };
}
