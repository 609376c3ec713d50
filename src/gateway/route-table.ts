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

interface Entry { route: Route; target: RouteTarget; specificity: number; rank: number }

/**
 * Routes by their leading literal segments: a node at depth k holds the
 * routes whose first k segments are literals and whose next segment is not
 * (a parameter, `*`, or the end). A request can only match routes on the
 * nodes its own path walks through, so a lookup reads those few lists, not
 * every route of every app.
 */
interface LiteralNode { entries: Entry[]; children: Map<string, LiteralNode> | null }

/**
 * Declared routes of every live version, rebuilt whenever a version goes
 * live. Literal segments win over parameters, parameters over `*`.
 */
export class RouteTable {
  #root: LiteralNode = literalNode();
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
        // A routed function's entry serves as its by-name record too: one object per function, not two.
        const entry: Entry | null = route ? { route, target, specificity: specificity(route), rank: 0 } : null;
        byName.set(`${version.app}/${fn.name}`, entry ?? { target, route: null });
        if (entry) entries.push(entry);
      }
    }
    // The order of one list of every route decides precedence (a stable sort keeps deploy order among equals); each node keeps it.
    entries.sort((a, b) => b.specificity - a.specificity);
    const root = literalNode();
    entries.forEach((entry, rank) => {
      entry.rank = rank;
      let node = root;
      for (const segment of entry.route.segments) {
        if (!('literal' in segment)) break;
        // Most nodes are leaves (one function's path): a map of children is made only for those that have one.
        node.children ??= new Map();
        let child = node.children.get(segment.literal);
        if (!child) node.children.set(segment.literal, (child = literalNode()));
        node = child;
      }
      node.entries.push(entry);
    });
    this.#root = root;
    this.#byName = byName;
  }

  match(method: string, pathname: string): RouteMatch | null {
    const parts = pathParts(pathname);
    let best: RouteMatch | null = null;
    let bestRank = Infinity;
    for (const list of this.#candidates(parts)) {
      // Each list is in precedence order: its first match is its best, and nothing after a better one found elsewhere can win.
      for (const { route, target, rank } of list) {
        if (rank >= bestRank) break;
        if (!serves(route, method)) continue;
        const params = matchSegments(route.segments, parts);
        if (params) {
          best = { target, params };
          bestRank = rank;
          break;
        }
      }
    }
    return best;
  }

  /**
   * The methods the routes matching this path serve (GET brings HEAD), in a
   * stable order: for the `Allow` header of a 405 when `match` found none
   * for the request's method. Empty when no route has this path.
   */
  allowedMethods(pathname: string): string[] {
    const parts = pathParts(pathname);
    const methods = new Set<string>();
    for (const list of this.#candidates(parts)) {
      for (const { route } of list) {
        if (!matchSegments(route.segments, parts)) continue;
        methods.add(route.method);
        if (route.method === 'GET') methods.add('HEAD');
      }
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

  /** The route lists on the path's literal walk: every route that could match it is in one of them. */
  #candidates(parts: string[]): Entry[][] {
    const lists: Entry[][] = [];
    let node: LiteralNode | undefined = this.#root;
    for (let depth = 0; node; depth++) {
      if (node.entries.length > 0) lists.push(node.entries);
      if (depth === parts.length) break;
      node = node.children?.get(parts[depth]!);
    }
    return lists;
  }
}

function literalNode(): LiteralNode {
  return { entries: [], children: null };
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
