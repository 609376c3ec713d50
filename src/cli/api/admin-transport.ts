import { ADMIN_API_PREFIX, adminApiError } from '../admin-client.js';
import { CliError } from '../cli-error.js';
import type { CliContext, ParsedArgs } from '../command.js';
import { resolveConnection } from '../connection.js';
import type { AdminRoute } from '../../gateway/admin-route.js';
import { routePath, type RouteInput, type RouteOutput } from './route-call.js';

const NO_CONTENT = 204;
const UNAUTHORIZED = 401;
const FORBIDDEN = 403;

/** Where the URL and the key came from (`--url`, `NIMBUS_ADMIN_KEY`, a file's path…), for messages about them. */
export interface ConnectionSources {
  url?: string;
  key?: string;
}

export type Query = Record<string, string | number | undefined>;

export interface AdminRequest {
  query?: Query;
  headers?: Record<string, string>;
  /** A JSON value, sent with `content-type: application/json`. */
  json?: unknown;
  /** A raw body; a stream is sent as it is read (chunked, or with the caller's content-length). */
  body?: string | Uint8Array | ReadableStream<Uint8Array>;
  signal?: AbortSignal;
}

/**
 * The admin API of one node for the area clients in this folder: every
 * failure is a CliError with one readable line (the server's own message, or
 * why the node could not be reached). `AdminClient` keeps the calls of the
 * original commands; areas added later each have a small client on this.
 */
export class AdminTransport {
  readonly baseUrl: string;
  readonly #adminKey: string;
  readonly #sources: ConnectionSources;

  constructor(baseUrl: string, adminKey: string, sources: ConnectionSources = {}) {
    this.baseUrl = baseUrl.replace(/\/+$/, '');
    this.#adminKey = adminKey;
    this.#sources = sources;
  }

  /** `http://host:port (URL from NIMBUS_URL)`: which node, and why that one. */
  describeNode(): string {
    return this.#sources.url ? `${this.baseUrl} (URL from ${this.#sources.url})` : this.baseUrl;
  }

  /** A JSON answer, or undefined for 204; any error status becomes a CliError. */
  async json<T>(method: string, path: string, request: AdminRequest = {}): Promise<T> {
    const response = await this.send(method, path, request);
    if (!response.ok) throw await adminApiError(response);
    if (response.status === NO_CONTENT) return undefined as T;
    try {
      return (await response.json()) as T;
    } catch {
      throw new CliError(`${method} ${path}: the server answered ${response.status} with a body that is not JSON`);
    }
  }

  /** Calls one declared admin route (gateway/admin-routes/): parameters, body and answer typed from its schemas. */
  async call<R extends AdminRoute>(route: R, input: RouteInput<R>): Promise<RouteOutput<R>> {
    const { params, body, query } = input as { params?: Record<string, string>; body?: unknown; query?: Query };
    return this.json<RouteOutput<R>>(route.method, routePath(route, params), { ...(query ? { query } : {}), ...(body === undefined ? {} : { json: body }) });
  }

  /** The raw answer, whatever its status (but a refused key): for streamed bodies. */
  async send(method: string, path: string, request: AdminRequest = {}): Promise<Response> {
    return this.fetchNode(method, `${ADMIN_API_PREFIX}${path}`, request);
  }

  /**
   * Any path on the node (a function's `/fn/...`), with the admin key. A
   * refused key (401, 403) is a CliError naming the node and where the key
   * came from; any other answer is returned as it is.
   */
  async fetchNode(method: string, path: string, request: AdminRequest = {}): Promise<Response> {
    const url = new URL(`${this.baseUrl}${path}`);
    for (const [name, value] of Object.entries(request.query ?? {})) if (value !== undefined) url.searchParams.set(name, String(value));
    const headers: Record<string, string> = { ...request.headers, authorization: `Bearer ${this.#adminKey}` };
    let body: string | Uint8Array | ReadableStream<Uint8Array> | null = request.body ?? null;
    if (request.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(request.json);
    }
    const init: RequestInit & { duplex?: 'half' } = { method, headers, body };
    // Node's fetch sends a stream body only when told it may start answering before the upload ends.
    if (body instanceof ReadableStream) init.duplex = 'half';
    if (request.signal) init.signal = request.signal;
    let response: Response;
    try {
      response = await fetch(url, init);
    } catch (err) {
      if (request.signal?.aborted) throw err;
      throw unreachable(this.baseUrl, this.#sources.url, err);
    }
    if (response.status === UNAUTHORIZED || response.status === FORBIDDEN) throw await this.#refused(response);
    return response;
  }

  async #refused(response: Response): Promise<CliError> {
    const { message } = await adminApiError(response);
    const key = this.#sources.key ? `the key from ${this.#sources.key}` : 'the key';
    const what = response.status === UNAUTHORIZED ? `rejected ${key}` : `refused ${key} this request`;
    return new CliError(`the node at ${this.describeNode()} ${what}: ${message}`);
  }
}

export function adminTransport(args: ParsedArgs, ctx: CliContext): AdminTransport {
  const { url, key } = resolveConnection(args, ctx);
  return new AdminTransport(url.value, key.value, { url: url.source, key: key.source });
}

/** One path segment, percent-encoded. */
export function enc(segment: string): string {
  return encodeURIComponent(segment);
}

function unreachable(baseUrl: string, urlSource: string | undefined, err: unknown): CliError {
  // A URL the user typed needs no explanation; one read from a file or the environment may be stale.
  const from = urlSource && urlSource !== '--url' ? `; URL from ${urlSource}` : '';
  const code = (err as { cause?: { code?: unknown } }).cause?.code;
  if (code === 'ECONNREFUSED' || code === 'ECONNRESET' || code === 'ENOTFOUND' || code === 'EHOSTUNREACH') {
    return new CliError(`cannot reach Nimbus at ${baseUrl}: is it running? (${code}${from})`);
  }
  const reason = (err as { cause?: { message?: unknown } }).cause?.message ?? (err as Error).message;
  return new CliError(`cannot reach Nimbus at ${baseUrl}: ${String(reason)}${from ? ` (${from.slice(2)})` : ''}`);
}
