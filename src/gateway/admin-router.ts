import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AdminApiHandler } from '../auth/admin-api.js';
import type { AuthRequirement } from '../auth/authorize.js';

export interface AdminRequest {
  req: IncomingMessage;
  res: ServerResponse;
  params: Record<string, string>;
  query: URLSearchParams;
}

/** A JSON answer; handlers that stream write to `res` themselves and return undefined. */
export type AdminResult = { status: number; body: unknown; headers?: Record<string, string> } | undefined;

export type AdminHandler = (request: AdminRequest) => Promise<AdminResult>;

/** What a caller must be allowed to do for one endpoint; the admin key by default. */
export type AdminAuth = (params: Record<string, string>) => Promise<AuthRequirement>;

interface AdminRoute {
  method: string;
  pattern: string;
  parts: string[];
  summary: string;
  handler: AdminHandler;
  auth?: AdminAuth;
}

/** The admin API's endpoints, declared once: they serve requests and describe themselves in OpenAPI. */
export class AdminRouter {
  readonly #routes: AdminRoute[] = [];

  add(method: string, pattern: string, summary: string, handler: AdminHandler, auth?: AdminAuth): void {
    this.#routes.push({ method, pattern, parts: pattern.split('/').slice(1), summary, handler, ...(auth ? { auth } : {}) });
  }

  /**
   * Hands every request under `/<prefix>` to an area's own framework-free
   * handler (secrets, keys, queues, timers…), with the JSON body parsed.
   */
  mount(prefix: string, methods: string[], summary: string, handler: AdminApiHandler, readBody: (req: IncomingMessage) => Promise<unknown>): void {
    for (const method of methods) {
      this.add(method, `/${prefix}/:rest*`, summary, async ({ req, query, params }) => {
        const body = method === 'GET' || method === 'HEAD' ? undefined : await readBody(req);
        const parts = [prefix, ...(params['rest'] ? params['rest'].split('/') : [])];
        return handler(method, parts, body, query);
      });
      this.add(method, `/${prefix}`, summary, async ({ req, query }) => {
        const body = method === 'GET' || method === 'HEAD' ? undefined : await readBody(req);
        return handler(method, [prefix], body, query);
      });
    }
  }

  /** null: no such path; 'method': path exists with other methods. */
  match(method: string, path: string): { route: AdminRoute; params: Record<string, string> } | 'method' | null {
    const parts = path.split('/').slice(1);
    let pathMatched = false;
    for (const route of this.#routes) {
      const params = matchParts(route.parts, parts);
      if (!params) continue;
      pathMatched = true;
      if (route.method === method) return { route, params };
    }
    return pathMatched ? 'method' : null;
  }

  /** The methods served at this path, for the `Allow` header of a 405. */
  allowedMethods(path: string): string[] {
    const parts = path.split('/').slice(1);
    return [...new Set(this.#routes.filter((route) => matchParts(route.parts, parts)).map((route) => route.method))];
  }

  openapi(): Record<string, unknown> {
    const paths: Record<string, Record<string, unknown>> = {};
    for (const route of this.#routes) {
      const path = `/_nimbus/api/v1${route.pattern.replace(/:([A-Za-z]+)\*?/g, '{$1}')}`;
      const parameters = [...route.pattern.matchAll(/:([A-Za-z]+)/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } }));
      paths[path] ??= {};
      paths[path][route.method.toLowerCase()] = {
        summary: route.summary,
        ...(parameters.length ? { parameters } : {}),
        responses: { default: { description: 'JSON; errors are {"error":{"code","message"}} (see docs/errors.md)' } },
      };
    }
    return {
      openapi: '3.1.0',
      info: { title: 'Nimbus admin API', version: '1' },
      components: { securitySchemes: { adminKey: { type: 'http', scheme: 'bearer' } } },
      security: [{ adminKey: [] }],
      paths,
    };
  }
}

function matchParts(pattern: string[], parts: string[]): Record<string, string> | null {
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    const p = pattern[i]!;
    if (p.endsWith('*') && p.startsWith(':')) {
      params[p.slice(1, -1)] = parts.slice(i).map(safeDecode).join('/');
      return params;
    }
    const part = parts[i];
    if (part === undefined) return null;
    if (p.startsWith(':')) params[p.slice(1)] = safeDecode(part);
    else if (p !== part) return null;
  }
  return parts.length === pattern.length ? params : null;
}

function safeDecode(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}
