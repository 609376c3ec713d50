import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AuthRequirement } from '../auth/authorize.js';
import type { KeyScope } from '../store/key-store.js';
import { parseBody } from '../auth/body-schema.js';
import type { AdminResult } from './admin-result.js';
import type { AdminRoute, PathParams, RouteBody } from './admin-route.js';
import { readJsonBody } from './json.js';
import { openApiDocument } from './openapi.js';

export const DEFAULT_ADMIN_BODY_BYTES = 1024 * 1024;

export interface AdminRequest<R extends AdminRoute = AdminRoute> {
  req: IncomingMessage;
  res: ServerResponse;
  params: Record<PathParams<R['path']>, string>;
  query: URLSearchParams;
  /** The path below `/_nimbus/api/v1`, still percent-encoded. */
  path: string;
  /** What the caller's key may do (`{ kind: 'admin' }` for the admin key); undefined where the route let the caller in without one. */
  caller: KeyScope | undefined;
  /** The JSON body as the route's schema parsed it (undefined for routes without one). */
  body: RouteBody<R>;
}

/** A JSON answer, or undefined when the handler wrote to `res` itself (streams). */
export type AdminHandler<R extends AdminRoute = AdminRoute> = (request: AdminRequest<R>) => Promise<AdminResult | undefined>;

/** What a caller must be allowed to do for one endpoint; the admin key by default. `path` is below the API prefix, still encoded. */
export type AdminAuth = (params: Record<string, string>, request: { method: string; path: string }) => Promise<AuthRequirement> | AuthRequirement;

export interface AdminRouteOptions {
  auth?: AdminAuth;
  /** `auth` also decides who is told that a method not served at this path is not allowed (the admin key otherwise). */
  authorizesOtherMethods?: boolean;
  /** Reads the JSON body instead of the route's schema, for a body with its own error messages; the schema still documents it. */
  parseBody?: (raw: unknown) => unknown;
}

/** A served route: its declaration and what runs it. */
export interface RegisteredRoute {
  route: AdminRoute;
  auth?: AdminAuth;
  /** Runs the route on a JSON body already read (undefined when the request had none). */
  run(request: Omit<AdminRequest, 'body'> & { rawBody: unknown }): Promise<AdminResult | undefined>;
}

interface Entry extends RegisteredRoute {
  parts: string[];
  authorizesOtherMethods: boolean;
}

/** The admin API's endpoints, declared once: they serve requests and describe themselves in OpenAPI. */
export class AdminRouter {
  readonly #routes: Entry[] = [];

  add<R extends AdminRoute>(route: R, handler: AdminHandler<R>, options: AdminRouteOptions = {}): void {
    const parse = options.parseBody ?? (route.body ? (raw: unknown) => parseBody(route.body!, raw) : () => undefined);
    this.#routes.push({
      route,
      parts: route.path.split('/').slice(1),
      authorizesOtherMethods: options.authorizesOtherMethods ?? false,
      ...(options.auth ? { auth: options.auth } : {}),
      run: ({ rawBody, ...request }) => handler({ ...request, params: request.params as AdminRequest<R>['params'], body: parse(rawBody) as RouteBody<R> }),
    });
  }

  /** Reads the route's JSON body (if it takes one) and runs it. */
  async serve(match: RegisteredRoute, request: Omit<AdminRequest, 'body'>): Promise<AdminResult | undefined> {
    const { route } = match;
    const rawBody = route.body ? await readJsonBody(request.req, route.maxBodyBytes ?? DEFAULT_ADMIN_BODY_BYTES) : undefined;
    return match.run({ ...request, rawBody });
  }

  /** null: no such path; 'method': path exists with other methods. */
  match(method: string, path: string): { route: RegisteredRoute; params: Record<string, string> } | 'method' | null {
    const parts = path.split('/').slice(1);
    let pathMatched = false;
    for (const entry of this.#routes) {
      const params = matchParts(entry.parts, parts);
      if (!params) continue;
      pathMatched = true;
      if (entry.route.method === method) return { route: entry, params };
    }
    return pathMatched ? 'method' : null;
  }

  /** Who may hear that `method` is not served at `path` (a route's own rule, or the admin key). */
  async otherMethodAuth(method: string, path: string): Promise<AuthRequirement> {
    const parts = path.split('/').slice(1);
    for (const entry of this.#routes) {
      const params = entry.authorizesOtherMethods && entry.auth ? matchParts(entry.parts, parts) : null;
      if (params) return entry.auth!(params, { method, path });
    }
    return { kind: 'admin' };
  }

  /** The methods served at this path, for the `Allow` header of a 405. */
  allowedMethods(path: string): string[] {
    const parts = path.split('/').slice(1);
    return [...new Set(this.#routes.filter((entry) => matchParts(entry.parts, parts)).map((entry) => entry.route.method))];
  }

  /** Every route served, in the order added. */
  routes(): AdminRoute[] {
    return this.#routes.map((entry) => entry.route);
  }

  openapi(): Record<string, unknown> {
    return openApiDocument(this.routes());
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
