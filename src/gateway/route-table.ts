import { matchSegments, parseRoute, type Route } from '../triggers/http/route.js';
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
  /** `/fn/<app>/<function>` targets, for every HTTP function. */
  #byName = new Map<string, RouteTarget>();

  rebuild(live: VersionRecord[]): void {
    const entries: Entry[] = [];
    const byName = new Map<string, RouteTarget>();
    for (const version of live) {
      for (const fn of version.functions) {
        if (fn.kind !== 'http') continue;
        const target: RouteTarget = {
          app: version.app, functionName: fn.name, version: version.version,
          auth: (fn.trigger['auth'] as RouteTarget['auth'] | undefined) ?? 'anonymous',
        };
        byName.set(`${version.app}/${fn.name}`, target);
        const spec = fn.trigger['route'] as string | null;
        if (!spec) continue;
        const route = parseRoute(spec);
        entries.push({ route, target, specificity: specificity(route) });
      }
    }
    entries.sort((a, b) => b.specificity - a.specificity);
    this.#entries = entries;
    this.#byName = byName;
  }

  match(method: string, pathname: string): RouteMatch | null {
    const parts = pathname.split('/').slice(1);
    if (parts.length > 1 && parts[parts.length - 1] === '') parts.pop();
    for (const { route, target } of this.#entries) {
      if (route.method !== '*' && route.method !== method && !(method === 'HEAD' && route.method === 'GET')) continue;
      const params = matchSegments(route.segments, parts.length === 1 && parts[0] === '' ? [] : parts);
      if (params) return { target, params };
    }
    return null;
  }

  byName(app: string, functionName: string): RouteTarget | undefined {
    return this.#byName.get(`${app}/${functionName}`);
  }
}

function specificity(route: Route): number {
  let score = 0;
  for (const segment of route.segments) score = score * 4 + ('literal' in segment ? 3 : 'param' in segment ? 2 : 1);
  return score * 2 + (route.method === '*' ? 0 : 1);
}
