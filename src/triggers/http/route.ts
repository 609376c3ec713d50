/**
 * HTTP routes: `METHOD /path/:param/*`. A route is compiled once at deploy
 * and matched segment by segment, without regular expressions, on every request.
 */
export const ROUTE_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS', '*'] as const;
export type RouteMethod = (typeof ROUTE_METHODS)[number];

export type Segment = { literal: string } | { param: string } | { rest: true };

export interface Route {
  method: RouteMethod;
  path: string;
  segments: Segment[];
}

const PARAM = /^:([A-Za-z_][A-Za-z0-9_]*)$/;
const LITERAL = /^[A-Za-z0-9._~!$&'()+,;=@-]+$/;
/** Paths the platform keeps for itself. */
export const RESERVED_PREFIXES = ['/_nimbus', '/fn/', '/metrics'];

/** Parses `GET /hello/:name`; a path alone means any method. Throws a message naming the problem. */
export function parseRoute(spec: string): Route {
  const parts = spec.trim().split(/\s+/);
  const [methodPart, pathPart] = parts.length === 1 ? ['*', parts[0]] : parts;
  if (parts.length > 2 || !pathPart) throw new Error(`route "${spec}" must look like "GET /path/:param"`);
  const method = methodPart!.toUpperCase() as RouteMethod;
  if (!ROUTE_METHODS.includes(method)) throw new Error(`route "${spec}" has an unknown method "${methodPart}"`);
  if (!pathPart.startsWith('/')) throw new Error(`route "${spec}": the path must start with "/"`);
  if (RESERVED_PREFIXES.some((p) => pathPart === p.replace(/\/$/, '') || pathPart.startsWith(p))) {
    throw new Error(`route "${spec}": paths under ${RESERVED_PREFIXES.join(', ')} are reserved by Nimbus`);
  }
  const raw = pathPart.split('/').slice(1);
  const segments: Segment[] = [];
  const seen = new Set<string>();
  raw.forEach((part, i) => {
    if (part === '' && i === raw.length - 1 && raw.length > 1) return; // trailing slash
    if (part === '' && raw.length === 1) return; // "/"
    if (part === '*') {
      if (i !== raw.length - 1) throw new Error(`route "${spec}": "*" may only end a path`);
      segments.push({ rest: true });
      return;
    }
    const param = PARAM.exec(part);
    if (param) {
      if (seen.has(param[1]!)) throw new Error(`route "${spec}" names the parameter "${param[1]}" twice`);
      seen.add(param[1]!);
      segments.push({ param: param[1]! });
      return;
    }
    if (!LITERAL.test(part)) throw new Error(`route "${spec}" has an invalid path segment "${part}"`);
    segments.push({ literal: part });
  });
  return { method, path: pathPart, segments };
}

/** A key under which two routes that would catch the same requests collide. */
export function routeShape(route: Route): string {
  return route.segments.map((s) => ('literal' in s ? s.literal : 'param' in s ? ':' : '*')).join('/');
}

export function methodsOverlap(a: RouteMethod, b: RouteMethod): boolean {
  return a === '*' || b === '*' || a === b;
}

/** Matches path segments (already split, without the leading empty one); returns params or null. */
export function matchSegments(segments: Segment[], parts: string[]): Record<string, string> | null {
  const params: Record<string, string> = {};
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i]!;
    if ('rest' in segment) {
      params['*'] = parts.slice(i).join('/');
      return params;
    }
    const part = parts[i];
    if (part === undefined || part === '') return null;
    if ('literal' in segment) {
      if (segment.literal !== part) return null;
    } else {
      try {
        params[segment.param] = decodeURIComponent(part);
      } catch {
        return null;
      }
    }
  }
  return parts.length === segments.length ? params : null;
}

/**
 * The parameters of a `/fn/<app>/<function>/<rest>` request. `parts` is the
 * rest, split at `/`. For a function with a route, the rest is matched
 * against the route's whole path first (`/fn/shop/getOrder/orders/42`), then
 * against its parameters alone, literal segments left out
 * (`/fn/shop/getOrder/42` for `GET /orders/:id`). When neither matches, or
 * the function has no route, the rest (if any) is `params['*']`.
 */
export function matchFunctionPath(route: Route | null, parts: string[]): Record<string, string> {
  if (route) {
    const params = matchSegments(route.segments, parts) ?? matchSegments(route.segments.filter((s) => !('literal' in s)), parts);
    if (params) return params;
  }
  return parts.length > 0 ? { '*': parts.join('/') } : {};
}
