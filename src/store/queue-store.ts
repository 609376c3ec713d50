import { randomBytes } from 'node:crypto';
import { NimbusError } from '../shared/errors.js';

/**
 * Durable queues. A message is written before its sender is told so, leased
 * to one consumer at a time, and removed only when acknowledged: delivery is
 * at least once. Implementations: SQLite (embedded) and PostgreSQL (cluster).
 */

/** Largest message body, measured as its JSON text in UTF-8 bytes. */
export const MAX_MESSAGE_BYTES = 256 * 1024;
/** A dedupId seen on a queue within this window is dropped as a duplicate. */
export const DEDUP_WINDOW_MS = 5 * 60_000;
/** Longest delay a sender may ask for. */
export const MAX_DELAY_MS = 7 * 24 * 60 * 60_000;
export const MAX_DEDUP_ID_LENGTH = 128;
/** Where a queue's dead letters go unless its trigger names another queue. */
export const DEAD_LETTER_SUFFIX = '.dlq';

const QUEUE_NAME = /^[a-z0-9][a-z0-9._-]{0,99}$/;
/** Internal queues (`_async.<app>.<fn>`, `_blob.<app>.<fn>`) carry function names, which may be mixed case. */
const INTERNAL_QUEUE_NAME = /^_[A-Za-z0-9][A-Za-z0-9._$-]{0,199}$/;
const QUEUE_NAME_RULE = 'queue names are 1-100 characters: lower-case letters, digits, ".", "_" and "-", starting with a letter or digit';

export interface NewMessage {
  body: unknown;
  /** Invisible to consumers for this long after it is written. */
  delayMs?: number;
  /** Drops later sends with the same id on the same queue for DEDUP_WINDOW_MS. */
  dedupId?: string;
  /** Higher is delivered first; default 0. Equal priorities are first in, first out. */
  priority?: number;
}

export interface SendOptions {
  /** Allows the reserved `_` names the platform uses for its own queues. */
  internal?: boolean;
}

export interface SendResult {
  id: string;
  /** True when the dedupId was seen within the window: `id` is the original message's. */
  duplicate: boolean;
}

/** A message leased by `receive`: no other consumer gets it until the lease ends. */
export interface LeasedMessage {
  id: string;
  queue: string;
  body: unknown;
  /** Failed attempts so far; the delivery in hand is attempt `attempts + 1`. */
  attempts: number;
  lastError: string | null;
  priority: number;
  /** Epoch ms when it was first written. */
  enqueuedAt: number;
}

export type MessageState = 'ready' | 'delayed' | 'in-flight';

export interface PeekedMessage extends LeasedMessage {
  state: MessageState;
  /** Epoch ms when it is (or was) ready: its delay or lease ends then. */
  visibleAt: number;
  /** For a dead letter: the queue it came from. */
  deadLetteredFrom: string | null;
}

export interface QueueStats {
  name: string;
  internal: boolean;
  /** Messages ready to be received now. */
  depth: number;
  inFlight: number;
  delayed: number;
  /** Messages of this queue now waiting in a dead-letter queue. */
  deadLettered: number;
  /** Age of the oldest message in the queue, null when it is empty. */
  oldestAgeMs: number | null;
}

export interface ReleaseOptions {
  delayMs?: number;
  /** Count the delivery as a failed attempt (false for throttling, shutdown). */
  countAttempt: boolean;
  error?: string;
}

export interface DeadLetterOptions {
  /** Dead-letter queue; default `<queue>.dlq`. */
  queue?: string;
  /** Count the delivery in hand as a failed attempt; default true. */
  countAttempt?: boolean;
}

/** Recorded as the last error of a message whose lease ran out. */
export const LEASE_EXPIRED_ERROR = 'the visibility timeout expired before the message was acknowledged';
/** Recorded as the last error of a message whose node stopped (or died) while holding its lease. */
export const LEASE_OWNER_LOST_ERROR = 'the node holding the lease stopped before the message was acknowledged';

export interface ReceiveOptions {
  /**
   * Cluster-wide cap: lease only as many batches as keep the batches of this
   * queue (and `consumer`) in flight, on every node together, at or below this.
   * A batch is in flight while any of its messages holds an unexpired lease.
   */
  maxInFlight?: number;
  /** Messages per batch: the leased messages are counted in groups of this many, in order. Default `max`. */
  batchSize?: number;
  /** Whose leases the cap counts, so two functions on one queue keep their own caps; default ''. */
  consumer?: string;
  /** Top up the batch this leased message belongs to: what is leased joins it and adds no batch. */
  joinBatchOf?: string;
}

export interface QueueStore {
  /** Writes the messages; resolves once they are committed. All or none of one call is written. */
  send(queue: string, messages: NewMessage[], options?: SendOptions): Promise<SendResult[]>;
  /**
   * Leases up to `max` ready messages for `visibilityTimeoutMs` to this node;
   * an expired lease counts as a failed attempt. With `maxInFlight`, fewer (or
   * none) when the queue is at its cap.
   */
  receive(queue: string, max: number, visibilityTimeoutMs: number, options?: ReceiveOptions): Promise<LeasedMessage[]>;
  /** Deletes the messages: they were handled. */
  ack(ids: string[]): Promise<void>;
  /** Ends the lease and makes the message ready again after `delayMs`. */
  release(id: string, options: ReleaseOptions): Promise<void>;
  /** Moves the message to its dead-letter queue, keeping body, attempts and `error`. */
  deadLetter(id: string, error: string, options?: DeadLetterOptions): Promise<void>;
  /** Epoch ms when the next not-yet-ready message of the queue becomes ready, null if none. */
  nextVisibleAt(queue: string): Promise<number | null>;
  listQueues(): Promise<QueueStats[]>;
  /**
   * Of the queues sent to whose names start with `prefix`, those holding at
   * least one message now (ready, delayed or leased). One index probe per
   * such queue: cheap enough to ask every second, unlike listQueues, which
   * counts every message.
   */
  queuesWithMessages(prefix: string): Promise<string[]>;
  /** The first `limit` messages in delivery order, in any state, without leasing them. */
  peek(queue: string, limit: number): Promise<PeekedMessage[]>;
  /** Deletes every message of the queue, in flight or not; returns how many. */
  purge(queue: string): Promise<number>;
  /**
   * Moves dead letters back to the queue they came from, attempts reset.
   * `name` is a dead-letter queue (all of its letters) or a source queue (its letters, wherever they are).
   */
  redrive(name: string): Promise<number>;
  /**
   * Ends every lease `nodeId` holds (a node that died, or this node's own from
   * before a restart): its messages are ready again at once. Each counts as a
   * failed attempt (a message that kills its node cannot kill node after
   * node). Returns how many.
   */
  releaseLeasesOf(nodeId: string): Promise<number>;
  /**
   * Calls `listener` when messages of `queue` may have become receivable:
   * sent, released or redriven (on PostgreSQL: by any node, and when capacity
   * of a capped queue freed up). Returns an unsubscribe function.
   */
  onSend(queue: string, listener: () => void): () => void;
}

/** Why these receive arguments are wrong, or null; for every QueueStore. */
export function receiveProblem(max: number, options: ReceiveOptions): string | null {
  if (!Number.isInteger(max) || max < 1) return `max must be a positive integer, got ${max}`;
  if (options.maxInFlight !== undefined && !(Number.isInteger(options.maxInFlight) && options.maxInFlight >= 1)) {
    return `maxInFlight must be a positive integer, got ${options.maxInFlight}`;
  }
  if (options.batchSize !== undefined && !(Number.isInteger(options.batchSize) && options.batchSize >= 1)) {
    return `batchSize must be a positive integer, got ${options.batchSize}`;
  }
  return null;
}

/** Unique across nodes and restarts: names the batches of one receive. */
export function leaseToken(): string {
  return randomBytes(9).toString('base64url');
}

export function isInternalQueueName(name: string): boolean {
  return name.startsWith('_');
}

/** Why `name` is not a valid queue name, or null when it is. */
export function queueNameProblem(name: unknown, options: SendOptions = {}): string | null {
  if (typeof name !== 'string') return QUEUE_NAME_RULE;
  if (isInternalQueueName(name)) {
    if (!options.internal) return `queue names starting with "_" are reserved for Nimbus (got ${JSON.stringify(name)})`;
    return INTERNAL_QUEUE_NAME.test(name) ? null : `not a valid internal queue name: ${JSON.stringify(name)}`;
  }
  return QUEUE_NAME.test(name) ? null : `${QUEUE_NAME_RULE} (got ${JSON.stringify(name)})`;
}

/**
 * For names of queues that may already exist (dead-letter targets, admin
 * operations): a dead-letter queue may be one suffix longer than its queue.
 * Internal names are allowed unless `internal: false`.
 */
export function existingQueueNameProblem(name: unknown, options: SendOptions = { internal: true }): string | null {
  const base = typeof name === 'string' && name.endsWith(DEAD_LETTER_SUFFIX) ? name.slice(0, -DEAD_LETTER_SUFFIX.length) : name;
  return queueNameProblem(base, options) && queueNameProblem(name, options);
}

/** Throws NIMBUS_ERR_BODY_INVALID (400) unless `name` is a valid name for a queue to send to. */
export function validateQueueName(name: unknown, options: SendOptions = {}): asserts name is string {
  const problem = queueNameProblem(name, options);
  if (problem) throw new NimbusError('NIMBUS_ERR_BODY_INVALID', problem, { field: 'queue' });
}

/** Throws NIMBUS_ERR_BODY_INVALID (400) unless `name` is a valid name for a queue that may exist. */
export function validateExistingQueueName(name: unknown, options: SendOptions = { internal: true }): asserts name is string {
  const problem = existingQueueNameProblem(name, options);
  if (problem) throw new NimbusError('NIMBUS_ERR_BODY_INVALID', problem, { field: 'queue' });
}

export function deadLetterQueueName(queue: string): string {
  return queue + DEAD_LETTER_SUFFIX;
}

/** A message checked and serialised, ready for any store to write. */
export interface EncodedMessage {
  json: string;
  delayMs: number;
  dedupId: string | null;
  priority: number;
}

/**
 * Checks every message of one send before anything is written, so a bad
 * message refuses its whole call (400 or 413, naming its index) and nothing else.
 */
export function encodeMessages(messages: readonly NewMessage[]): EncodedMessage[] {
  if (!Array.isArray(messages)) throw new NimbusError('NIMBUS_ERR_BODY_INVALID', 'messages must be an array', { field: 'messages' });
  return messages.map((message, index) => encodeMessage(message, index));
}

function encodeMessage(message: NewMessage, index: number): EncodedMessage {
  const invalid = (field: string, why: string) =>
    new NimbusError('NIMBUS_ERR_BODY_INVALID', `messages[${index}].${field} ${why}`, { field: `messages[${index}].${field}`, index });
  if (typeof message !== 'object' || message === null || Array.isArray(message)) {
    throw new NimbusError('NIMBUS_ERR_BODY_INVALID', `messages[${index}] must be an object with a "body"`, { field: `messages[${index}]`, index });
  }
  let json: string | undefined;
  try {
    json = JSON.stringify(message.body);
  } catch (err) {
    throw invalid('body', `cannot be serialised as JSON (${(err as Error).message})`);
  }
  if (json === undefined) throw invalid('body', 'is required and must be a JSON value');
  // Most bodies are ASCII: only measure UTF-8 bytes when the character count could be over.
  const bytes = json.length * 3 <= MAX_MESSAGE_BYTES ? json.length : Buffer.byteLength(json);
  if (bytes > MAX_MESSAGE_BYTES) {
    throw new NimbusError('NIMBUS_ERR_BODY_TOO_LARGE', `messages[${index}].body is ${bytes} bytes of JSON; the limit is ${MAX_MESSAGE_BYTES}`, {
      field: `messages[${index}].body`, index, bytes, limit: MAX_MESSAGE_BYTES,
    });
  }
  const { delayMs = 0, dedupId, priority = 0 } = message;
  if (!Number.isInteger(delayMs) || delayMs < 0 || delayMs > MAX_DELAY_MS) {
    throw invalid('delayMs', `must be a whole number of milliseconds from 0 to ${MAX_DELAY_MS}`);
  }
  if (dedupId !== undefined && dedupId !== null && (typeof dedupId !== 'string' || dedupId.length === 0 || dedupId.length > MAX_DEDUP_ID_LENGTH)) {
    throw invalid('dedupId', `must be a string of 1-${MAX_DEDUP_ID_LENGTH} characters`);
  }
  if (!Number.isSafeInteger(priority)) throw invalid('priority', 'must be a whole number');
  return { json, delayMs, dedupId: dedupId ?? null, priority };
}

/** A store's counts of one queue's messages that have not been dead-lettered, numbers already read as such. */
export interface QueueCounts {
  queue: string;
  depth: number;
  inFlight: number;
  delayed: number;
  /** When its oldest message was enqueued. */
  oldest: number;
}

/**
 * Every queue's stats, sorted by name, from what both stores count: the names known, the live counts of the
 * queues holding messages, and the dead-lettered messages by the queue they came from.
 */
export function queueStatsFrom(
  now: number, names: Iterable<string>, counts: Iterable<QueueCounts>, deadLettered: Iterable<{ from: string; count: number }>,
): QueueStats[] {
  const stats = new Map<string, QueueStats>();
  const entry = (name: string): QueueStats => {
    let s = stats.get(name);
    if (!s) {
      s = { name, internal: isInternalQueueName(name), depth: 0, inFlight: 0, delayed: 0, deadLettered: 0, oldestAgeMs: null };
      stats.set(name, s);
    }
    return s;
  };
  for (const name of names) entry(name);
  for (const { queue, depth, inFlight, delayed, oldest } of counts) Object.assign(entry(queue), { depth, inFlight, delayed, oldestAgeMs: Math.max(0, now - oldest) });
  for (const { from, count } of deadLettered) entry(from).deadLettered = count;
  return [...stats.values()].sort((a, b) => a.name.localeCompare(b.name));
}
