import { newInvocationId } from '../../runtime/invocation-id.js';
import type { Clock, TimerHandle } from '../../shared/clock.js';
import type { EventInvoker } from '../../runtime/event-invoker.js';
import type { ResolvedSettings } from '../../sdk/settings.js';
import type { AsyncResultStore, InvocationRecord } from '../../store/async-result-store.js';
import type { QueueStore } from '../../store/queue-store.js';
import type { BackoffSettings } from '../retry-policy.js';
import { ConsumerGroup, DEFAULT_CLOSE_TIMEOUT_MS, type ConsumerSpec } from './consumer-group.js';
import { DEFAULT_POLL_INTERVAL_MS, type BatchHandler } from './queue-consumer.js';
import { admitOf } from './queue-trigger.js';
import { MAX_CONSUMER_CONCURRENCY, resolveQueueSettings, type ResolvedQueueSettings } from './settings.js';

/** Attempts of one async invocation running at once, per function, unless the binding says otherwise. */
export const DEFAULT_ASYNC_MAX_CONCURRENCY = 8;
/** Added to a function's timeout and queue wait to get the lease of an async attempt. */
const ASYNC_LEASE_MARGIN_MS = 5_000;

const ASYNC_QUEUE_PREFIX = '_async.';

export function asyncQueueName(app: string, functionName: string): string {
  return `${ASYNC_QUEUE_PREFIX}${app}.${functionName}`;
}

/** The function whose async queue this is (app names hold no dot), or null for another queue. */
function functionOfQueue(queue: string): { app: string; functionName: string } | null {
  if (!queue.startsWith(ASYNC_QUEUE_PREFIX)) return null;
  const dot = queue.indexOf('.', ASYNC_QUEUE_PREFIX.length);
  return dot < 0 ? null : { app: queue.slice(ASYNC_QUEUE_PREFIX.length, dot), functionName: queue.slice(dot + 1) };
}

/** The HTTP request to replay, as the gateway received it. */
export interface AsyncRequest {
  method: string;
  url: string;
  headers: [string, string][];
  body?: Uint8Array | null;
}

/** The message body on `_async.<app>.<fn>`, and the event payload of a `trigger: 'async'` invocation. */
export interface AsyncPayload {
  invocationId: string;
  method: string;
  url: string;
  headers: [string, string][];
  /** null when the request had no body. */
  bodyBase64: string | null;
}

/** What the runtime returns as the EventResult value of an async invocation. */
export interface AsyncResponse {
  status: number;
  headers: [string, string][];
  bodyBase64: string;
}

/** An HTTP function that may be called asynchronously, with the settings its attempts follow. */
export interface AsyncFunctionBinding {
  app: string;
  functionName: string;
  settings?: Partial<Pick<ResolvedSettings, 'timeoutMs' | 'queueTimeoutMs'>> & {
    maxAttempts?: number;
    backoff?: Partial<BackoffSettings>;
    maxConcurrency?: number;
  };
}

/**
 * The function of that name if it may be called asynchronously, with its settings. Looked up when needed rather
 * than listed: thousands of HTTP functions may be deployed, and few are ever called so.
 */
export type AsyncBindingLookup = (app: string, functionName: string) => AsyncFunctionBinding | undefined;

export interface AsyncInvocationsOptions {
  queues: QueueStore;
  results: AsyncResultStore;
  invoker: EventInvoker;
  clock: Clock;
  pollIntervalMs?: number;
  random?: () => number;
  onError?: (error: unknown) => void;
}

/**
 * HTTP functions called asynchronously: the request is written to the
 * function's internal queue and answered 202 with an invocation id; a
 * consumer (batch size 1, the queue trigger's retry and dead-letter model)
 * runs it, and its outcome is kept in the AsyncResultStore.
 *
 * Every HTTP function may be called so, but few are: a consumer runs only
 * while its function's queue holds messages. A send here starts it at once;
 * one look at the store per poll interval starts those other nodes filled
 * (or a restart left) and stops those found empty. Idle functions cost no
 * polling, however many are deployed.
 */
export class AsyncInvocations {
  readonly #queues: QueueStore;
  readonly #results: AsyncResultStore;
  readonly #invoker: EventInvoker;
  readonly #clock: Clock;
  readonly #pollIntervalMs: number;
  readonly #group: ConsumerGroup;
  readonly #onError: (error: unknown) => void;
  /** Every function that may be called asynchronously; a consumer (keyed `app/function`) gets its spec when it starts. */
  #lookup: AsyncBindingLookup = () => undefined;
  /** Sends made here per function since its consumer started: a look that began before one must not stop that consumer. */
  readonly #sent = new Map<string, number>();
  #looking = false;
  #lookAgain = false;
  #nextLook: TimerHandle | undefined;
  #closed = false;

  constructor(options: AsyncInvocationsOptions) {
    this.#queues = options.queues;
    this.#results = options.results;
    this.#invoker = options.invoker;
    this.#clock = options.clock;
    this.#pollIntervalMs = options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS;
    this.#onError = options.onError ?? ((error) => console.error('nimbus: async invocations:', error));
    this.#group = new ConsumerGroup({ ...options, onError: this.#onError });
  }

  /** Durably queues the request; resolves with its invocation id once committed. */
  async enqueue(app: string, functionName: string, request: AsyncRequest): Promise<string> {
    const invocationId = newInvocationId();
    const payload: AsyncPayload = {
      invocationId,
      method: request.method,
      url: request.url,
      headers: request.headers,
      bodyBase64: request.body && request.body.byteLength > 0 ? Buffer.from(request.body).toString('base64') : null,
    };
    const key = { invocationId, app, functionName };
    const fn = `${app}/${functionName}`;
    const binding = this.#lookup(app, functionName);
    if (binding) {
      // Started before the send commits, so the send wakes it.
      this.#sent.set(fn, (this.#sent.get(fn) ?? 0) + 1);
      this.#start(fn, binding);
    }
    // Asked for together, so both land in the same group commit.
    const [sent, created] = await Promise.allSettled([
      this.#queues.send(asyncQueueName(app, functionName), [{ body: payload }], { internal: true }),
      this.#results.create(key),
    ]);
    if (sent.status === 'rejected') {
      if (created.status === 'fulfilled') await this.#results.remove(invocationId).catch(this.#onError);
      throw sent.reason;
    }
    // The message is durable and will run; its first attempt writes the record if this did not.
    if (created.status === 'rejected') this.#onError(created.reason);
    return invocationId;
  }

  get(invocationId: string): Promise<InvocationRecord | undefined> {
    return this.#results.get(invocationId);
  }

  /** Where to look up the functions that may be called asynchronously (again after a deploy): running consumers take their new settings, those of functions gone stop. */
  sync(lookup: AsyncBindingLookup): void {
    this.#lookup = lookup;
    const running: ConsumerSpec[] = [];
    for (const key of this.#group.keys()) {
      const spec = this.#spec(key);
      if (spec) running.push(spec);
    }
    this.#group.sync(running);
    for (const key of [...this.#sent.keys()]) if (!this.#group.has(key)) this.#sent.delete(key);
    this.#look();
  }

  /** Consumers running now (one per function whose queue holds messages). */
  get consumers(): number {
    return this.#group.size;
  }

  close(timeoutMs = DEFAULT_CLOSE_TIMEOUT_MS): Promise<void> {
    this.#closed = true;
    if (this.#nextLook) this.#clock.clearTimeout(this.#nextLook);
    return this.#group.close(timeoutMs);
  }

  /** `binding`: the key's, when the caller has already looked it up. */
  #start(key: string, binding?: AsyncFunctionBinding): void {
    if (this.#group.has(key)) return;
    const spec = this.#spec(key, binding);
    if (spec) this.#group.ensure(spec);
  }

  /** The binding of a consumer's key, `app/function` (app names hold no slash). */
  #bindingOf(key: string): AsyncFunctionBinding | undefined {
    const slash = key.indexOf('/');
    return slash < 0 ? undefined : this.#lookup(key.slice(0, slash), key.slice(slash + 1));
  }

  /** The consumer of one function's queue; settings the deploy should have refused are reported, and nothing runs. */
  #spec(key: string, binding = this.#bindingOf(key)): ConsumerSpec | undefined {
    if (!binding) return undefined;
    try {
      return { key, settings: asyncQueueSettings(binding), handler: this.#handler(binding) };
    } catch (error) {
      this.#onError(error);
      return undefined;
    }
  }

  /** Starts the consumers of queues holding messages, stops those of empty ones; again after a poll interval. */
  #look(): void {
    if (this.#closed) return;
    if (this.#looking) {
      this.#lookAgain = true;
      return;
    }
    this.#looking = true;
    if (this.#nextLook) this.#clock.clearTimeout(this.#nextLook);
    this.#nextLook = undefined;
    void (async () => {
      try {
        do {
          this.#lookAgain = false;
          const sentBefore = new Map(this.#sent);
          const busy = new Set(await this.#queues.queuesWithMessages(ASYNC_QUEUE_PREFIX));
          if (this.#closed) return;
          // Only the busy queues and the running consumers are visited: a look costs nothing per idle function.
          for (const queue of busy) {
            const fn = functionOfQueue(queue);
            if (fn) this.#start(`${fn.app}/${fn.functionName}`);
          }
          for (const key of this.#group.keys()) {
            const binding = this.#bindingOf(key);
            if (binding && !busy.has(asyncQueueName(binding.app, binding.functionName)) && this.#sent.get(key) === sentBefore.get(key)) {
              this.#group.stop(key);
              this.#sent.delete(key);
            }
          }
        } while (this.#lookAgain && !this.#closed);
      } catch (error) {
        this.#onError(error);
      } finally {
        this.#looking = false;
        if (!this.#closed) {
          this.#nextLook = this.#clock.setTimeout(() => this.#look(), this.#pollIntervalMs);
          this.#nextLook.unref();
        }
      }
    })();
  }

  #handler({ app, functionName }: AsyncFunctionBinding): BatchHandler {
    const results = this.#results;
    const invoker = this.#invoker;
    return {
      ...admitOf(invoker, { app, functionName }),
      async run(messages, admission) {
        const message = messages[0]!;
        const payload = message.body as AsyncPayload;
        const key = { invocationId: payload.invocationId, app, functionName };
        await results.update(key, { state: 'running', attempts: message.attempts + 1 });
        const result = await invoker.invokeEvent({ id: payload.invocationId, app, functionName, trigger: 'async', payload, ...(admission ? { admission } : {}) });
        if (result.outcome === 'throttled') {
          await results.update(key, { state: 'queued', attempts: message.attempts });
          return { throttled: true };
        }
        const response = result.outcome === 'ok' ? asResponse(result.value) : undefined;
        if (response && response.status < 500) {
          await results.update(key, { state: 'succeeded', ...response, error: null });
          return { failed: new Map() };
        }
        const error = response
          ? answeredWithStatus(response.status)
          : result.outcome === 'ok'
            ? 'the function did not return an HTTP response'
            : (result.error ?? `the invocation ended with outcome "${result.outcome}"`);
        await results.update(key, { state: 'queued', ...response, error });
        return { failed: new Map([[message.id, error]]) };
      },
      async deadLettered(message, error) {
        const { invocationId } = message.body as AsyncPayload;
        await results.update({ invocationId, app, functionName }, { state: 'failed', error });
      },
    };
  }
}

/** The error an async invocation records when the function answered a 5xx itself. */
export function answeredWithStatus(status: number): string {
  return `the function answered with status ${status}`;
}

/** An HTTP function's async binding, from its deployed settings. */
export function asyncBindingOf(app: string, functionName: string, settings: Pick<ResolvedSettings, 'timeoutMs' | 'queueTimeoutMs' | 'maxInstances' | 'concurrency'>): AsyncFunctionBinding {
  return {
    app, functionName,
    settings: {
      timeoutMs: settings.timeoutMs, queueTimeoutMs: settings.queueTimeoutMs,
      // The pool caps what runs at once anyway; the consumer may not ask for more than a queue consumer can.
      maxConcurrency: Math.min(MAX_CONSUMER_CONCURRENCY, settings.maxInstances * settings.concurrency),
    },
  };
}

/**
 * The consumer settings of a function's async queue. Throws
 * NIMBUS_ERR_DEPLOY_INVALID_DEFINITION when they cannot work, which the
 * deploy checks before a version goes live.
 */
export function asyncQueueSettings(binding: AsyncFunctionBinding): ResolvedQueueSettings {
  const s = binding.settings ?? {};
  return resolveQueueSettings(
    {
      queue: asyncQueueName(binding.app, binding.functionName),
      batchSize: 1,
      maxBatchWaitMs: 0,
      maxConcurrency: s.maxConcurrency ?? DEFAULT_ASYNC_MAX_CONCURRENCY,
      maxAttempts: s.maxAttempts,
      backoff: s.backoff,
      // An attempt may wait for a slot, then run to its timeout: its lease must outlast both.
      visibilityTimeoutMs: (s.timeoutMs ?? 30_000) + (s.queueTimeoutMs ?? 10_000) + ASYNC_LEASE_MARGIN_MS,
    },
    { internal: true },
  );
}

function asResponse(value: unknown): AsyncResponse | undefined {
  const v = value as Partial<AsyncResponse> | null | undefined;
  if (!v || !Number.isInteger(v.status)) return undefined;
  return {
    status: v.status!,
    headers: Array.isArray(v.headers) ? v.headers : [],
    bodyBase64: typeof v.bodyBase64 === 'string' ? v.bodyBase64 : '',
  };
}
