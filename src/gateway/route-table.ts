import { matchFunctionPath, matchSegments, parseRoute, ROUTE_METHODS, type Route } from '../triggers/http/route.js';
import type { VersionRecord } from '../store/store.js';

export interface RouteTarget {
  app: string;
  functionName: string;
  version: number;
  auth: 'anonymous' | 'key' | 'admin';
}

export interface RouteMatch {
  target: RouteTarget;
  params: Record<string, string>;
}

interface Entry { route: Route; target: RouteTarget; specificity: number }

/**
 * Declared routes of every live version, rebuilt whenever a version goes
 * live. Literal segments win over parameters, parameters over `*`.
 */
export class RouteTable {
  #entries: Entry[] = [];
  /** `/fn/<app>/<function>` targets, for every HTTP function, with the function's route if it declares one. */
  #byName = new Map<string, { target: RouteTarget; route: Route | null }>();

  rebuild(live: VersionRecord[]): void {
    const entries: Entry[] = [];
    const byName = new Map<string, { target: RouteTarget; route: Route | null }>();
    for (const version of live) {
      for (const fn of version.functions) {
        if (fn.kind !== 'http') continue;
        const target: RouteTarget = {
          app: version.app, functionName: fn.name, version: version.version,
          auth: (fn.trigger['auth'] as RouteTarget['auth'] | undefined) ?? 'anonymous',
        };
        const spec = fn.trigger['route'] as string | null;
        const route = spec ? parseRoute(spec) : null;
        byName.set(`${version.app}/${fn.name}`, { target, route });
        if (route) entries.push({ route, target, specificity: specificity(route) });
      }
    }
    entries.sort((a, b) => b.specificity - a.specificity);
    this.#entries = entries;
    this.#byName = byName;
  }

  match(method: string, pathname: string): RouteMatch | null {
    const parts = pathParts(pathname);
    for (const { route, target } of this.#entries) {
      if (!serves(route, method)) continue;
      const params = matchSegments(route.segments, parts);
      if (params) return { target, params };
    }
    return null;
  }

  /**
   * The methods the routes matching this path serve (GET brings HEAD), in a
   * stable order: for the `Allow` header of a 405 when `match` found none
   * for the request's method. Empty when no route has this path.
   */
  allowedMethods(pathname: string): string[] {
    const parts = pathParts(pathname);
    const methods = new Set<string>();
    for (const { route } of this.#entries) {
      if (!matchSegments(route.segments, parts)) continue;
      methods.add(route.method);
      if (route.method === 'GET') methods.add('HEAD');
    }
    return ROUTE_METHODS.filter((m) => methods.has(m));
  }

  byName(app: string, functionName: string): RouteTarget | undefined {
    return this.#byName.get(`${app}/${functionName}`)?.target;
  }

  /** `/fn/<app>/<function>/<rest>`: the function and the parameters its rest carries (see matchFunctionPath). */
  matchByName(app: string, functionName: string, rest: string): RouteMatch | null {
    const entry = this.#byName.get(`${app}/${functionName}`);
    if (!entry) return null;
    return { target: entry.target, params: matchFunctionPath(entry.route, pathParts(`/${rest}`)) };
  }
}

function serves(route: Route, method: string): boolean {
  return route.method === '*' || route.method === method || (method === 'HEAD' && route.method === 'GET');
}

/** `/a/b/` → ['a', 'b']; `/` → []. */
function pathParts(pathname: string): string[] {
  const parts = pathname.split('/').slice(1);
  if (parts.length > 1 && parts[parts.length - 1] === '') parts.pop();
  return parts.length === 1 && parts[0] === '' ? [] : parts;
}

function specificity(route: Route): number {
  let score = 0;
  for (const segment of route.segments) score = score * 4 + ('literal' in segment ? 3 : 'param' in segment ? 2 : 1);
  return score * 2 + (route.method === '*' ? 0 : 1);
}
