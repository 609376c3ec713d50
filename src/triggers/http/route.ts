/**
 * HTTP routes: `METHOD /path/:param/*`. A route is checked at deploy, parsed
 * once by the node that serves it (when first asked for, see RouteTable) and
 * matched segment by segment, without regular expressions, on every request.
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
/** The reserved prefixes as whole paths (`/fn` as well as `/fn/…`). */
const RESERVED_PATHS = RESERVED_PREFIXES.map((p) => p.replace(/\/$/, ''));
/** Each method by its name: a parsed route holds the one shared string, not a copy per route. */
const METHOD_BY_NAME: ReadonlyMap<string, RouteMethod> = new Map(ROUTE_METHODS.map((m) => [m, m]));

/**
 * Parses `GET /hello/:name`; a path alone means any method. Throws a message naming the problem.
 * A node parses the routes under a path's first segment on the first request there, so this stays a single pass.
 */
export function parseRoute(spec: string): Route {
  const parts = spec.trim().split(/\s+/);
  const [methodPart, pathPart] = parts.length === 1 ? ['*', parts[0]] : parts;
  if (parts.length > 2 || !pathPart) throw new Error(`route "${spec}" must look like "GET /path/:param"`);
  const method = METHOD_BY_NAME.get(methodPart!) ?? METHOD_BY_NAME.get(methodPart!.toUpperCase());
  if (!method) throw new Error(`route "${spec}" has an unknown method "${methodPart}"`);
  if (!pathPart.startsWith('/')) throw new Error(`route "${spec}": the path must start with "/"`);
  for (let i = 0; i < RESERVED_PREFIXES.length; i++) {
    if (pathPart === RESERVED_PATHS[i] || pathPart.startsWith(RESERVED_PREFIXES[i]!)) {
      throw new Error(`route "${spec}": paths under ${RESERVED_PREFIXES.join(', ')} are reserved by Nimbus`);
    }
  }
  const raw = pathPart.split('/');
  const segments: Segment[] = [];
  let seen: Set<string> | undefined;
  // raw[0] is the empty string before the leading "/".
  for (let i = 1; i < raw.length; i++) {
    const part = raw[i]!;
    if (part === '' && i === raw.length - 1) continue; // trailing slash, or "/" alone
    if (part === '*') {
      if (i !== raw.length - 1) throw new Error(`route "${spec}": "*" may only end a path`);
      segments.push({ rest: true });
      continue;
    }
    if (part.charCodeAt(0) === 58 /* : */) {
      const param = PARAM.exec(part);
      if (param) {
        seen ??= new Set();
        if (seen.has(param[1]!)) throw new Error(`route "${spec}" names the parameter "${param[1]}" twice`);
        seen.add(param[1]!);
        segments.push({ param: param[1]! });
        continue;
      }
    }
    if (!LITERAL.test(part)) throw new Error(`route "${spec}" has an invalid path segment "${part}"`);
    segments.push({ literal: part });
  }
  return { method, path: pathPart, segments };
}

/**
 * The first path segment of a route spec when it is a literal (`GET /shop/:id` → `shop`), read without
 * parsing the rest; null when the path starts with a parameter or `*`, is `/` alone, or its first segment
 * is not a literal parseRoute would accept (then the caller parses the spec whole). Whenever it returns a
 * segment, that is the literal parseRoute makes the route's first segment, if parseRoute accepts the spec.
 */
export function leadingLiteral(spec: string): string | null {
  // Methods hold no "/": the path starts at the first one, after whitespace or at the start, and its first segment
  // runs to the next "/". Trailing whitespace or anything else LITERAL refuses gives null, the safe answer.
  const slash = spec.indexOf('/');
  if (slash < 0 || (slash > 0 && !/\s/.test(spec[slash - 1]!))) return null;
  const next = spec.indexOf('/', slash + 1);
  const first = spec.slice(slash + 1, next < 0 ? spec.length : next);
  return LITERAL.test(first) ? first : null;
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
