/**
 * The Nimbus client for outside apps: send queue messages and invoke
 * functions over HTTP. Depends on nothing but Node 20's globals.
 *
 *   import { NimbusClient } from 'nimbus-functions/client';
 *   const nimbus = new NimbusClient({ url: 'http://127.0.0.1:8080', key: process.env.NIMBUS_KEY });
 *   await nimbus.queue<{ orderId: string }>('orders').send({ orderId: 'o-1' });
 */
import type { QueueMessageOf, QueueNameOf, SomeQueueDefinition } from '../definition.js';
import type { InvocationRecord, SendOptions, SendResult } from './types.js';

export type { InvocationRecord, InvocationState, SendOptions, SendResult } from './types.js';
export type { BlobInfo, BlobListing, BlobObject, BlobPutOptions } from '../context.js';
export { BlobsClient, type BucketInfo } from './blobs.js';
import { BlobsClient } from './blobs.js';

/** The request never got an HTTP answer (refused, reset, timed out): status 0. */
export const CLIENT_ERR_NETWORK = 'NIMBUS_CLIENT_NETWORK';
/** The server answered with an error that is not a Nimbus error body (a proxy, say). */
export const CLIENT_ERR_BAD_RESPONSE = 'NIMBUS_CLIENT_BAD_RESPONSE';

export interface NimbusClientOptions {
  /** Base URL of any Nimbus node, e.g. `http://127.0.0.1:8080`. */
  url: string;
  /** Sent as `Authorization: Bearer <key>`. */
  key?: string;
  /** Per-request limit; default none. */
  timeoutMs?: number;
}

export type QueueItem<T> = { body: T } & SendOptions;

/** What `invoke` resolves with: the function's own response. */
export interface InvokeResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly ok: boolean;
  json(): Promise<unknown>;
  text(): Promise<string>;
  arrayBuffer(): Promise<ArrayBuffer>;
}

type RequestBody = NonNullable<RequestInit['body']>;

/** A request body: JSON for values, sent as-is for strings and bytes. */
export type InvokeBody = unknown;

/**
 * Every failure the client reports. `code` is the server's `NIMBUS_ERR_*`
 * code (see docs/errors.md), or CLIENT_ERR_NETWORK / CLIENT_ERR_BAD_RESPONSE.
 */
export class NimbusClientError extends Error {
  readonly code: string;
  /** HTTP status, 0 when there was no answer. */
  readonly status: number;
  /** The rest of the server's error object (field, limit…). */
  readonly details: Record<string, unknown>;

  constructor(code: string, status: number, message: string, details: Record<string, unknown> = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'NimbusClientError';
    this.code = code;
    this.status = status;
    this.details = details;
  }
}

export class NimbusClient {
  readonly #base: string;
  readonly #key: string | undefined;
  readonly #timeoutMs: number | undefined;

  constructor(options: NimbusClientOptions) {
    let url: URL;
    try {
      url = new URL(options.url);
    } catch {
      throw new TypeError(`NimbusClient: url must be an absolute URL, got ${JSON.stringify(options.url)}`);
    }
    this.#base = url.href.replace(/\/+$/, '');
    this.#key = options.key;
    this.#timeoutMs = options.timeoutMs;
  }

  /** Blob storage: get, head, put, delete, list, buckets. */
  get blobs(): BlobsClient {
    return new BlobsClient(
      (path, init) => this.#call(path, init),
      (error) => error instanceof NimbusClientError && (error.code === 'NIMBUS_ERR_BLOB_NOT_FOUND' || error.code === 'NIMBUS_ERR_BLOB_BUCKET_NOT_FOUND' || (error.status === 404 && error.code === CLIENT_ERR_BAD_RESPONSE)),
    );
  }

  /** A queue to send to; `T` is the body's type. */
  queue<T = unknown>(name: string): QueueClient<T> {
    return new QueueClient<T>(name, (path, init) => this.#call(path, init));
  }

  /**
   * The queue a queue function consumes, typed by its definition (`import type
   * { processOrders } from '../functions'`, `nimbus.queueFor<typeof
   * processOrders>('orders')`): the name is checked against its queue, the
   * bodies against its message type. A method of its own rather than a form of
   * `queue()`: a misspelt name would there fall back to `queue<T>(name: string)`.
   */
  queueFor<D extends SomeQueueDefinition>(name: QueueNameOf<D>): QueueClient<QueueMessageOf<D>> {
    return this.queue<QueueMessageOf<D>>(name);
  }

  /** Runs a function through the admin API and resolves with its response; `target` is `app/function`. */
  async invoke(target: string, body?: InvokeBody): Promise<InvokeResponse> {
    const { app, fn } = splitTarget(target);
    return this.#call(`/_nimbus/api/v1/apps/${app}/functions/${fn}/invoke`, { method: 'POST', ...encodeBody(body) }, { functionResponse: true });
  }

  /** Queues a call to an HTTP function and resolves once it is stored, with the id to look it up by. */
  async invokeAsync(target: string, body?: InvokeBody): Promise<{ invocationId: string }> {
    const { app, fn } = splitTarget(target);
    const response = await this.#call(`/fn/${app}/${fn}`, { method: 'POST', ...withHeaders(encodeBody(body), { 'x-nimbus-async': '1' }) });
    return readJson(response);
  }

  /** The state and, once finished, the response of an asynchronous invocation. */
  async invocation(invocationId: string): Promise<InvocationRecord> {
    return readJson(await this.#call(`/_nimbus/api/v1/invocations/${encodeURIComponent(invocationId)}`, { method: 'GET' }));
  }

  async #call(path: string, init: RequestInit, options: { functionResponse?: boolean } = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.#key !== undefined) headers.set('authorization', `Bearer ${this.#key}`);
    let response: Response;
    try {
      response = await fetch(this.#base + path, {
        ...init,
        headers,
        signal: this.#timeoutMs === undefined ? null : AbortSignal.timeout(this.#timeoutMs),
      });
    } catch (error) {
      // The base URL first: a wrong or stale NIMBUS_URL is the usual reason, and the path alone does not show it.
      const message = (error as Error).name === 'TimeoutError'
        ? `no answer from Nimbus at ${this.#base} within ${this.#timeoutMs} ms (${init.method} ${path})`
        : `cannot reach Nimbus at ${this.#base}: ${describeNetworkError(error)} (${init.method} ${path})`;
      throw new NimbusClientError(CLIENT_ERR_NETWORK, 0, message, {}, { cause: error });
    }
    if (response.ok) return response;
    // A function's own error answers pass through `invoke`; Nimbus's own errors are thrown.
    const error = await nimbusErrorOf(response, options.functionResponse ? response.clone() : response);
    if (error) throw error;
    if (options.functionResponse) return response;
    throw new NimbusClientError(CLIENT_ERR_BAD_RESPONSE, response.status, `${init.method} ${path}: HTTP ${response.status} without a Nimbus error body`);
  }
}

export class QueueClient<T = unknown> {
  readonly name: string;
  readonly #call: (path: string, init: RequestInit) => Promise<Response>;

  constructor(name: string, call: (path: string, init: RequestInit) => Promise<Response>) {
    this.name = name;
    this.#call = call;
  }

  /** Resolves once the message is durably stored. */
  async send(body: T, options: SendOptions = {}): Promise<SendResult> {
    const [result] = await this.sendBatch([{ ...options, body }]);
    return result!;
  }

  /** Stores all of the messages or, on an error, none of them. */
  async sendBatch(items: QueueItem<T>[]): Promise<SendResult[]> {
    if (items.length === 0) return [];
    const response = await this.#call(`/_nimbus/api/v1/queues/${encodeURIComponent(this.name)}/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ messages: items }),
    });
    return (await readJson<{ messages: SendResult[] }>(response)).messages;
  }
}

function splitTarget(target: string): { app: string; fn: string } {
  const slash = target.indexOf('/');
  if (slash <= 0 || slash === target.length - 1 || target.indexOf('/', slash + 1) >= 0) {
    throw new TypeError(`expected "app/function", got ${JSON.stringify(target)}`);
  }
  return { app: encodeURIComponent(target.slice(0, slash)), fn: encodeURIComponent(target.slice(slash + 1)) };
}

function encodeBody(body: InvokeBody): { body?: RequestBody; headers?: Record<string, string> } {
  if (body === undefined) return {};
  if (typeof body === 'string') return { body, headers: { 'content-type': 'text/plain; charset=utf-8' } };
  if (body instanceof Uint8Array || body instanceof ArrayBuffer) {
    return { body: body as RequestBody, headers: { 'content-type': 'application/octet-stream' } };
  }
  return { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } };
}

function withHeaders(init: { body?: RequestBody; headers?: Record<string, string> }, extra: Record<string, string>) {
  return { ...init, headers: { ...init.headers, ...extra } };
}

async function readJson<T>(response: Response): Promise<T> {
  try {
    return (await response.json()) as T;
  } catch (error) {
    throw new NimbusClientError(CLIENT_ERR_BAD_RESPONSE, response.status, `expected a JSON answer (HTTP ${response.status})`, {}, { cause: error });
  }
}

/** `{ error: { code: 'NIMBUS_ERR_…', message, ...details } }` as a NimbusClientError, or undefined when the body is something else. */
async function nimbusErrorOf(response: Response, readable: Response): Promise<NimbusClientError | undefined> {
  if (!(response.headers.get('content-type') ?? '').includes('json')) return undefined;
  let parsed: unknown;
  try {
    parsed = await readable.json();
  } catch {
    return undefined;
  }
  const error = (parsed as { error?: unknown } | null)?.error as Record<string, unknown> | undefined;
  if (typeof error !== 'object' || error === null || typeof error.code !== 'string' || !error.code.startsWith('NIMBUS_ERR_')) return undefined;
  const { code, message, ...details } = error;
  return new NimbusClientError(code, response.status, typeof message === 'string' ? message : code, details);
}

function describeNetworkError(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error as Error).message;
}
