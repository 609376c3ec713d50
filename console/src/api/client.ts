import type { Endpoint } from './endpoints.js';

/** The admin API's `{error: {code, message}}`, or a failure to reach it at all. */
export class ApiError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
    this.name = 'ApiError';
  }
}

export type QueryValues = Record<string, string | number | boolean | undefined | null>;

/** What one call needs: path parameters and body as the route declares them, a query, an abort signal. */
export type CallInput<Params extends string, Body> = ([Params] extends [never] ? { params?: undefined } : { params: Record<Params, string> })
  & (Body extends undefined ? { body?: undefined } : { body: Body })
  & { query?: QueryValues; signal?: AbortSignal };

export const API_PREFIX = '/_nimbus/api/v1';

/** `/apps/:app/secrets/:name` with `{app: 'shop', name: 'A B'}` → `/apps/shop/secrets/A%20B`; a `:rest*` keeps its slashes. */
export function endpointPath(path: string, params: Record<string, string> = {}, query: QueryValues = {}): string {
  const filled = path.replace(/:([A-Za-z]+)(\*?)/g, (_, name: string, rest: string) => {
    const value = params[name] ?? '';
    return rest ? value.split('/').map(encodeURIComponent).join('/') : encodeURIComponent(value);
  });
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) if (value !== undefined && value !== null && value !== '') search.set(name, String(value));
  const qs = search.toString();
  return `${API_PREFIX}${filled}${qs ? `?${qs}` : ''}`;
}

/**
 * The console's one way to the admin API: the key as a bearer token on every
 * call, answers typed from the route declarations, errors as ApiError with
 * the API's own code and message.
 */
export class ApiClient {
  constructor(
    readonly key: string,
    /** Told when the node refuses the key (revoked, node's admin key changed). */
    private readonly onUnauthorized: (error: ApiError) => void = () => {},
  ) {}

  headers(): Record<string, string> {
    return { authorization: `Bearer ${this.key}` };
  }

  async call<P extends string, B, R>(endpoint: Endpoint<P, B, R>, input: CallInput<P, B>): Promise<R> {
    const { params, body, query, signal } = input as { params?: Record<string, string>; body?: unknown; query?: QueryValues; signal?: AbortSignal };
    const headers: Record<string, string> = { ...this.headers(), accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const response = await this.fetch(endpointPath(endpoint.path, params, query), {
      method: endpoint.method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}), ...(signal ? { signal } : {}),
    });
    if (response.status === 204) return null as R;
    return (await readJson(response)) as R;
  }

  /** A fetch with the key that fails with the API's error; for streams the caller reads itself. */
  async fetch(url: string, init: RequestInit = {}): Promise<Response> {
    let response: Response;
    try {
      response = await fetch(url, { ...init, headers: { ...this.headers(), ...(init.headers as Record<string, string> | undefined) } });
    } catch (err) {
      if ((err as Error).name === 'AbortError') throw err;
      throw new ApiError(0, 'NETWORK', `the node could not be reached (${(err as Error).message})`);
    }
    if (!response.ok) {
      const error = await errorOf(response);
      if (response.status === 401) this.onUnauthorized(error);
      throw error;
    }
    return response;
  }
}

async function readJson(response: Response): Promise<unknown> {
  const text = await response.text();
  return text ? JSON.parse(text) : null;
}

async function errorOf(response: Response): Promise<ApiError> {
  try {
    const body = (await readJson(response)) as { error?: { code?: unknown; message?: unknown } } | null;
    if (body?.error && typeof body.error.message === 'string') {
      return new ApiError(response.status, typeof body.error.code === 'string' ? body.error.code : `HTTP_${response.status}`, body.error.message);
    }
  } catch {
    // not JSON: described by its status below
  }
  return new ApiError(response.status, `HTTP_${response.status}`, `the node answered ${response.status} ${response.statusText}`);
}
