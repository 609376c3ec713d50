import type { BaseContext, HttpContext } from './context.js';
import type { FunctionSettings } from './settings.js';

/** Marks an exported value as a Nimbus function definition. */
export const DEFINITION_MARK = '__nimbusFunction' as const;

export type TriggerKind = 'http' | 'queue' | 'blob' | 'timer';

/** What an HTTP handler may return: a Response, or a string (text) or value (JSON). */
export type HttpResult = Response | string | object | null | undefined;

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'HEAD' | 'OPTIONS' | '*';

export type AuthLevel = 'anonymous' | 'key' | 'admin';

export interface HttpSettings extends FunctionSettings {
  /** `METHOD /path/:param`, e.g. `GET /hello/:name`; `*` matches any method. Optional: every HTTP function is also at `/fn/<app>/<function>`. */
  route?: string;
  auth?: AuthLevel;
}

export type HttpHandler = (req: Request, ctx: HttpContext) => HttpResult | Promise<HttpResult>;

export interface QueueMessage<T = unknown> {
  id: string;
  body: T;
  attempt: number;
  enqueuedAt: number;
}

export interface QueueBatch<T = unknown> {
  queue: string;
  messages: QueueMessage<T>[];
}

export interface QueueSettings extends FunctionSettings {
  queue: string;
  batchSize?: number;
  maxBatchWaitMs?: number;
  /** Concurrent batches across all of the function's instances. */
  maxConcurrency?: number;
  maxAttempts?: number;
  backoff?: { initialMs?: number; maxMs?: number };
  visibilityTimeoutMs?: number;
  deadLetterQueue?: string;
}

/**
 * Return `{ failed: [ids] }` to retry only some messages of a batch; a failed
 * message named in `retryDelayMs` is retried after that long (at most 12 h)
 * instead of after the function's backoff.
 */
export type QueueResult = void | { failed?: string[]; retryDelayMs?: Record<string, number> };

export type QueueHandler<T = unknown> = (batch: QueueBatch<T>, ctx: BaseContext) => QueueResult | Promise<QueueResult>;

export type BlobEventType = 'created' | 'updated' | 'deleted';

export interface BlobEvent {
  bucket: string;
  key: string;
  eventType: BlobEventType;
  /** Of the object written, or of the object deleted. */
  size: number;
  etag: string;
  contentType: string;
  /** Per-bucket, strictly increasing, fixed-width hex: compare as strings to order events. */
  sequencer: string;
  params: Record<string, string>;
}

export interface BlobSettings extends FunctionSettings {
  bucket: string;
  /** Key pattern with named captures, e.g. `images/{name}.{ext}`. Default: every key. */
  path?: string;
  events?: BlobEventType[];
  maxAttempts?: number;
  backoff?: { initialMs?: number; maxMs?: number };
}

export type BlobHandler = (event: BlobEvent, ctx: BaseContext) => void | Promise<void>;

export interface TimerTick {
  scheduledAt: string;
  firedAt: string;
  isPastDue: boolean;
  missed: number;
  lastRun: string | null;
}

export interface TimerSettings extends FunctionSettings {
  /** 5 or 6 fields (seconds first when 6), or a shortcut such as `@hourly`. */
  cron: string;
  timezone?: string;
  catchUp?: 'skip' | 'once' | 'all';
  overlap?: 'skip' | 'queue' | 'allow';
  runOnStartup?: boolean;
  maxAttempts?: number;
  backoff?: { initialMs?: number; maxMs?: number };
}

export type TimerHandler = (tick: TimerTick, ctx: BaseContext) => void | Promise<void>;

interface DefinitionBase<K extends TriggerKind, S, H> {
  readonly [DEFINITION_MARK]: true;
  readonly kind: K;
  readonly settings: S;
  readonly handler: H;
}

export type HttpDefinition = DefinitionBase<'http', HttpSettings, HttpHandler>;
/**
 * A queue function, with the type of its messages (`T`) and the name of its
 * queue (`Q`, a literal where `queue()` could infer it). Producers name it in
 * a type (`nimbus.queueFor<typeof processOrders>('orders')`,
 * `ctx.queues.send<typeof processOrders>(…)`) to have the body checked against
 * what the function reads, and the queue's name against the one it consumes.
 */
export interface QueueDefinition<T = unknown, Q extends string = string> extends DefinitionBase<'queue', QueueSettings & { readonly queue: Q }, QueueHandler> {
  /**
   * The message type, in the type only: never set at run time. A string key, not a unique symbol: an app may see
   * two copies of these declarations (the SDK's and the client's, one from sources and one from .d.ts in a
   * checkout), and a symbol of each copy would be a different key.
   */
  readonly '~messageType'?: T;
}

/** Any queue function's definition, whatever its message type and queue. */
export type SomeQueueDefinition = QueueDefinition<unknown, string>;

/** The messages a queue function's definition reads. */
export type QueueMessageOf<D extends SomeQueueDefinition> = D extends QueueDefinition<infer M, string> ? M : never;

/** The queue a queue function's definition consumes: a literal where `queue()` inferred it, else any name. */
export type QueueNameOf<D extends SomeQueueDefinition> = D['settings']['queue'];
export type BlobDefinition = DefinitionBase<'blob', BlobSettings, BlobHandler>;
export type TimerDefinition = DefinitionBase<'timer', TimerSettings, TimerHandler>;

export type FunctionDefinition = HttpDefinition | QueueDefinition | BlobDefinition | TimerDefinition;

/**
 * An export holding definitions by name, beside the named exports: for code
 * whose functions are known only once it runs (Azure's `app.http('name', …)`
 * registers them as its modules load).
 */
export const FUNCTIONS_EXPORT = '__nimbusFunctions' as const;

export function isFunctionDefinition(value: unknown): value is FunctionDefinition {
  return typeof value === 'object' && value !== null && (value as Record<string, unknown>)[DEFINITION_MARK] === true;
}
