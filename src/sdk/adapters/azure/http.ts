/**
 * `HttpRequest`, `HttpResponse` and `HttpResponseInit` as @azure/functions v4
 * defines them (types/http.d.ts of the package): both wrap the platform's
 * fetch Request/Response, so bodies, headers and defaults behave as they do
 * on Azure.
 */
import type { Blob } from 'node:buffer';
import type { Readable } from 'node:stream';

export type HttpMethod = 'GET' | 'POST' | 'DELETE' | 'HEAD' | 'PATCH' | 'PUT' | 'OPTIONS' | 'TRACE' | 'CONNECT';

export type HttpResponseBodyInit =
  | ReadableStream | Readable | Blob | ArrayBufferView | ArrayBuffer | AsyncIterable<Uint8Array>
  | FormData | URLSearchParams | string | null | undefined;

export type HttpHeadersInit = Headers | Record<string, string> | [string, string][];

export type HttpRequestParams = Record<string, string>;

export type HttpRequestUserType = 'AppService' | 'StaticWebApps';

export interface HttpRequestUser {
  type: HttpRequestUserType;
  id: string;
  username: string;
  identityProvider: string;
  claimsPrincipalData: Record<string, unknown>;
}

export interface HttpRequestBodyInit {
  bytes?: Uint8Array;
  string?: string;
}

/** What Azure's test constructor takes. */
export interface HttpRequestInit {
  method?: string;
  url?: string;
  body?: HttpRequestBodyInit;
  headers?: Record<string, string>;
  query?: Record<string, string>;
  params?: Record<string, string>;
}

/** How the adapter builds one around the request Nimbus received. */
interface WrappedRequestInit extends HttpRequestInit {
  nativeRequest?: Request;
}

/** The body members Azure's HttpRequest and HttpResponse both take from the fetch object they wrap. */
abstract class WrappedBody {
  protected abstract get wrapped(): Request | Response;

  get body(): ReadableStream<Uint8Array> | null {
    return this.wrapped.body;
  }

  get bodyUsed(): boolean {
    return this.wrapped.bodyUsed;
  }

  arrayBuffer(): Promise<ArrayBuffer> {
    return this.wrapped.arrayBuffer();
  }

  blob(): Promise<Blob> {
    return this.wrapped.blob() as Promise<Blob>;
  }

  formData(): Promise<FormData> {
    return this.wrapped.formData();
  }

  json(): Promise<unknown> {
    return this.wrapped.json();
  }

  text(): Promise<string> {
    return this.wrapped.text();
  }
}

export class HttpRequest extends WrappedBody {
  readonly query: URLSearchParams;
  readonly params: HttpRequestParams;
  #native: Request;

  protected get wrapped(): Request {
    return this.#native;
  }
  #init: WrappedRequestInit;

  constructor(init: HttpRequestInit) {
    super();
    const wrapped = init as WrappedRequestInit;
    this.#init = wrapped;
    this.#native = wrapped.nativeRequest ?? requestFromInit(wrapped);
    this.query = wrapped.query ? new URLSearchParams(wrapped.query) : new URL(this.#native.url).searchParams;
    this.params = { ...(wrapped.params ?? {}) };
  }

  get method(): string {
    return this.#native.method;
  }

  get url(): string {
    return this.#native.url;
  }

  get headers(): Headers {
    return this.#native.headers;
  }

  /**
   * Always null: Azure fills it from the `x-ms-client-principal` headers its
   * own authentication front end sets and strips from callers. Nimbus has
   * no such front end, so those headers would be the caller's word.
   */
  get user(): HttpRequestUser | null {
    return null;
  }

  clone(): HttpRequest {
    const { nativeRequest: _native, ...rest } = this.#init;
    const init: WrappedRequestInit = { ...structuredClone(rest), nativeRequest: this.#native.clone() };
    return new HttpRequest(init);
  }
}

function requestFromInit(init: HttpRequestInit): Request {
  if (!init.url) throw new Error('HttpRequest needs a url');
  const method = init.method ?? 'GET';
  const hasBody = !['GET', 'HEAD'].includes(method.toUpperCase());
  const body = hasBody ? (init.body?.bytes ? Buffer.from(init.body.bytes) : init.body?.string) : undefined;
  return new Request(init.url, { method, ...(init.headers ? { headers: init.headers } : {}), ...(body === undefined ? {} : { body }) });
}

export interface Cookie {
  name: string;
  value: string;
  domain?: string;
  path?: string;
  expires?: Date | number;
  secure?: boolean;
  httpOnly?: boolean;
  sameSite?: 'Strict' | 'Lax' | 'None' | undefined;
  maxAge?: number;
}

export interface HttpResponseInit {
  body?: HttpResponseBodyInit;
  /** If set, `body` is ignored: serialized as JSON, with `content-type: application/json` unless one is given. */
  jsonBody?: unknown;
  /** Default 200. */
  status?: number;
  headers?: HttpHeadersInit;
  cookies?: Cookie[];
  enableContentNegotiation?: boolean;
}

interface WrappedResponseInit extends HttpResponseInit {
  nativeResponse?: Response;
}

/** Statuses whose responses have no body (fetch's "null body status"): a body given with them is dropped, as Azure does. */
const NULL_BODY_STATUSES = new Set([204, 205, 304]);

export class HttpResponse extends WrappedBody {
  readonly cookies: Cookie[];
  readonly enableContentNegotiation: boolean;
  #native: Response;

  protected get wrapped(): Response {
    return this.#native;
  }
  #init: WrappedResponseInit;

  constructor(init?: HttpResponseInit) {
    super();
    const wrapped: WrappedResponseInit = init ?? {};
    this.#init = wrapped;
    this.#native = wrapped.nativeResponse ?? responseFromInit(wrapped);
    this.cookies = wrapped.cookies ?? [];
    this.enableContentNegotiation = !!wrapped.enableContentNegotiation;
  }

  get status(): number {
    return this.#native.status;
  }

  get headers(): Headers {
    return this.#native.headers;
  }

  clone(): HttpResponse {
    return new HttpResponse({ ...this.#init, nativeResponse: this.#native.clone() } as HttpResponseInit);
  }
}

function responseFromInit(init: HttpResponseInit): Response {
  const nullBody = init.status !== undefined && NULL_BODY_STATUSES.has(init.status);
  const base: ResponseInit = { ...(init.status === undefined ? {} : { status: init.status }), ...(init.headers ? { headers: init.headers } : {}) };
  if (init.jsonBody !== undefined && init.jsonBody !== null && !nullBody) {
    const headers = new Headers(init.headers);
    if (!headers.has('content-type')) headers.set('content-type', 'application/json');
    return new Response(JSON.stringify(init.jsonBody), { ...base, headers });
  }
  return new Response(nullBody ? null : (init.body as ConstructorParameters<typeof Response>[0]), base);
}

/**
 * The answer Azure gives for what an HTTP handler returned: nothing is
 * `204 No Content` (Functions 2.x and later); an HttpResponse or an
 * HttpResponseInit is sent with its status, headers, cookies and body;
 * anything else is the error Azure's library raises.
 */
export function toNimbusResponse(result: unknown): Response {
  if (result === null || result === undefined) return new Response(null, { status: 204 });
  if (typeof result !== 'object') {
    throw new Error('The HTTP response must be an object with optional properties "body", "status", "headers", and "cookies".');
  }
  if (!(result instanceof HttpResponse)) {
    // A plain init becomes the answer directly: a string or JSON body stays whole (one frame to the caller), not a stream.
    const init = result as HttpResponseInit;
    const native = responseFromInit(init);
    for (const cookie of init.cookies ?? []) native.headers.append('set-cookie', setCookieHeader(cookie));
    return native;
  }
  const response = result;
  const headers = new Headers(response.headers);
  for (const cookie of response.cookies) headers.append('set-cookie', setCookieHeader(cookie));
  return new Response(NULL_BODY_STATUSES.has(response.status) ? null : response.body, { status: response.status, headers });
}

/**
 * A cookie as the Functions host writes it (ASP.NET Core's `Set-Cookie`):
 * the value URL-encoded, `path=/` unless another is given, attributes in
 * lower case and in ASP.NET Core's order.
 */
export function setCookieHeader(cookie: Cookie): string {
  const parts = [`${cookie.name}=${encodeURIComponent(cookie.value)}`];
  if (cookie.expires !== undefined) parts.push(`expires=${new Date(cookie.expires).toUTCString()}`);
  if (cookie.maxAge !== undefined) parts.push(`max-age=${Math.trunc(cookie.maxAge)}`);
  if (cookie.domain) parts.push(`domain=${cookie.domain}`);
  parts.push(`path=${cookie.path ?? '/'}`);
  if (cookie.secure) parts.push('secure');
  if (cookie.sameSite) parts.push(`samesite=${cookie.sameSite.toLowerCase()}`);
  if (cookie.httpOnly) parts.push('httponly');
  return parts.join('; ');
}
