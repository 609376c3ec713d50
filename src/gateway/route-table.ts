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
/** A function by name: a routed function's entry serves as its record too (one object per function, not two). */
type Named = Entry | { target: RouteTarget; route: null };
/** One version's HTTP functions: its routes and its functions by name. */
interface CompiledVersion { entries: Entry[]; byName: Map<string, Named> }

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

  /**
   * Each app's live version and its routes, parsed once: a deploy rebuilds the table from every app's, and only its own
   * are new. Also what `/fn/<app>/<function>` finds, for every HTTP function, with the function's route if it declares one.
   */
  #compiled = new Map<string, { version: VersionRecord; compiled: CompiledVersion }>();

  rebuild(live: VersionRecord[]): void {
    // The order of one list of every route decides precedence: by specificity, deploy order among equals. Routes of
    // equal specificity are gathered in order rather than sorted (thousands of routes share a handful of them).
    const bySpecificity = new Map<number, Entry[]>();
    // Only the live versions are kept: a replaced or removed one is parsed again only if it goes live again.
    const kept = new Map<string, { version: VersionRecord; compiled: CompiledVersion }>();
    for (const version of live) {
      const known = this.#compiled.get(version.app);
      const compiled = known?.version === version ? known.compiled : compileVersion(version);
      kept.set(version.app, { version, compiled });
      for (const entry of compiled.entries) {
        let same = bySpecificity.get(entry.specificity);
        if (!same) bySpecificity.set(entry.specificity, (same = []));
        same.push(entry);
      }
    }
    const root = literalNode();
    let rank = 0;
    // Each node keeps the entries on it in that order.
    for (const specificity of [...bySpecificity.keys()].sort((a, b) => b - a)) {
      for (const entry of bySpecificity.get(specificity)!) {
        entry.rank = rank++;
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
      }
    }
    this.#root = root;
    this.#compiled = kept;
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
    return this.#named(app, functionName)?.target;
  }

  /** `/fn/<app>/<function>/<rest>`: the function and the parameters its rest carries (see matchFunctionPath). */
  matchByName(app: string, functionName: string, rest: string): RouteMatch | null {
    const entry = this.#named(app, functionName);
    if (!entry) return null;
    return { target: entry.target, params: matchFunctionPath(entry.route, pathParts(`/${rest}`)) };
  }

  #named(app: string, functionName: string): Named | undefined {
    return this.#compiled.get(app)?.compiled.byName.get(functionName);
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

function compileVersion(version: VersionRecord): CompiledVersion {
  const entries: Entry[] = [];
  const byName = new Map<string, Named>();
  for (const fn of version.functions) {
    if (fn.kind !== 'http') continue;
    const target: RouteTarget = {
      app: version.app, functionName: fn.name, version: version.version,
      auth: (fn.trigger['auth'] as RouteTarget['auth'] | undefined) ?? 'anonymous',
    };
    const spec = fn.trigger['route'] as string | null;
    const route = spec ? parseRoute(spec) : null;
    const entry: Entry | null = route ? { route, target, specificity: specificity(route), rank: 0 } : null;
    byName.set(fn.name, entry ?? { target, route: null });
    if (entry) entries.push(entry);
  }
  return { entries, byName };
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
