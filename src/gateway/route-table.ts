import { leadingLiteral, matchFunctionPath, matchSegments, ROUTE_METHODS, type Route } from '../triggers/http/route.js';
import { parsedRoutes } from './parsed-routes.js';
import type { FunctionManifest, VersionRecord } from '../store/store.js';

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

/** A function by name, with its route when it declares one (parsed once per version, with its specificity). */
interface Named { target: RouteTarget; route: Route | null; specificity: number }
/** One version's HTTP functions by name. */
interface CompiledVersion { byName: Map<string, Named> }

/**
 * A route in the table: precedence is by specificity, then deploy order (`order`, counted over every live
 * version's functions at each rebuild). Each list below is kept in precedence order.
 */
interface Entry { route: Route; target: RouteTarget; specificity: number; order: number }

/**
 * Routes by their leading literal segments: a node at depth k holds the
 * routes whose first k segments are literals and whose next segment is not
 * (a parameter, `*`, or the end). A request can only match routes on the
 * nodes its own path walks through, so a lookup reads those few lists, not
 * every route of every app.
 */
interface LiteralNode { entries: Entry[]; children: Map<string, LiteralNode> | null }

/** A route under a first segment whose subtree is not made yet: its function, and its place in deploy order. */
interface Pending { app: string; functionName: string; order: number }

/** Told once about each route of a live version this node cannot parse (deployed by a node with other rules): it is not served. */
export type UnparseableRoute = (target: RouteTarget, spec: string, err: Error) => void;

/**
 * Declared routes of every live version, rebuilt whenever a version goes
 * live. Literal segments win over parameters, parameters over `*`.
 *
 * A rebuild reads only each route's first segment. The routes under a first
 * segment are parsed, and their subtree made, on the first lookup that walks
 * into it; an app's functions by name on the first lookup of one of them. A
 * node starting with thousands of routes parses none it does not serve.
 */
export class RouteTable {
  readonly #unparseable: UnparseableRoute;

  constructor(options: { onUnparseable?: UnparseableRoute } = {}) {
    this.#unparseable = options.onUnparseable ?? (() => {});
  }

  /** Routes with no leading literal (`/`, `/:x`, `/*`): every lookup reads them, so they are parsed at once. */
  #rootEntries: Entry[] = [];
  /** The subtree under each first segment, or the routes it will be made of. */
  #firstSegments = new Map<string, LiteralNode | Pending[]>();

  /**
   * Each app's live version and its functions by name, parsed on first use: a rebuild keeps what was parsed for
   * the versions still live. Also what `/fn/<app>/<function>` finds, for every HTTP function.
   */
  #apps = new Map<string, { version: VersionRecord; compiled: CompiledVersion | null }>();

  rebuild(live: VersionRecord[]): void {
    const apps = new Map<string, { version: VersionRecord; compiled: CompiledVersion | null }>();
    const firstSegments = new Map<string, LiteralNode | Pending[]>();
    const rootNamed: Pending[] = [];
    let order = 0;
    for (const version of live) {
      const known = this.#apps.get(version.app);
      apps.set(version.app, known?.version === version ? known : { version, compiled: null });
      for (const fn of version.functions) {
        if (fn.kind !== 'http') continue;
        const spec = fn.trigger['route'] as string | null | undefined;
        if (!spec) continue;
        const route = { app: version.app, functionName: fn.name, order: order++ };
        const first = leadingLiteral(spec);
        if (first === null) {
          rootNamed.push(route);
          continue;
        }
        const pending = firstSegments.get(first) as Pending[] | undefined;
        if (pending) pending.push(route);
        else firstSegments.set(first, [route]);
      }
    }
    this.#apps = apps;
    this.#firstSegments = firstSegments;
    this.#rootEntries = this.#entries(rootNamed);
  }

  match(method: string, pathname: string): RouteMatch | null {
    const parts = pathParts(pathname);
    let best: Entry | null = null;
    let bestParams: Record<string, string> | null = null;
    for (const list of this.#candidates(parts)) {
      // Each list is in precedence order: its first match is its best, and nothing after a better one found elsewhere can win.
      for (const entry of list) {
        if (best && !outranks(entry, best)) break;
        if (!serves(entry.route, method)) continue;
        const params = matchSegments(entry.route.segments, parts);
        if (params) {
          best = entry;
          bestParams = params;
          break;
        }
      }
    }
    return best ? { target: best.target, params: bestParams! } : null;
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

  /**
   * Every function of the app's live version, whatever its trigger; undefined when no version of it is live. For
   * explaining a request to `/fn/<app>/<function>` that found no HTTP function, once it found none.
   */
  liveFunctions(app: string): readonly FunctionManifest[] | undefined {
    return this.#apps.get(app)?.version.functions;
  }

  /** The apps with a live version. */
  liveApps(): Iterable<string> {
    return this.#apps.keys();
  }

  byName(app: string, functionName: string): RouteTarget | undefined {
    return this.#named(app, functionName)?.target;
  }

  /** `/fn/<app>/<function>/<rest>`: the function and the parameters its rest carries (see matchFunctionPath). */
  matchByName(app: string, functionName: string, rest: string): RouteMatch | null {
    const named = this.#named(app, functionName);
    if (!named) return null;
    return { target: named.target, params: matchFunctionPath(named.route, pathParts(`/${rest}`)) };
  }

  #named(app: string, functionName: string): Named | undefined {
    const live = this.#apps.get(app);
    if (!live) return undefined;
    live.compiled ??= compileVersion(live.version, this.#unparseable);
    return live.compiled.byName.get(functionName);
  }

  /** The routes of these functions, in precedence order (a route that could not be parsed is left out). */
  #entries(routes: readonly Pending[]): Entry[] {
    const entries: Entry[] = [];
    for (const { app, functionName, order } of routes) {
      const { route, target, specificity } = this.#named(app, functionName)!;
      if (route) entries.push({ route, target, specificity, order });
    }
    return entries.sort((a, b) => b.specificity - a.specificity || a.order - b.order);
  }

  /** The route lists on the path's literal walk: every route that could match it is in one of them. */
  #candidates(parts: string[]): Entry[][] {
    const lists: Entry[][] = [];
    if (this.#rootEntries.length > 0) lists.push(this.#rootEntries);
    if (parts.length === 0) return lists;
    let node = this.#subtree(parts[0]!);
    for (let depth = 1; node; depth++) {
      if (node.entries.length > 0) lists.push(node.entries);
      if (depth === parts.length) break;
      node = node.children?.get(parts[depth]!);
    }
    return lists;
  }

  /** The subtree under a first segment, made from its routes the first time a lookup walks into it. */
  #subtree(first: string): LiteralNode | undefined {
    const found = this.#firstSegments.get(first);
    if (!found || !Array.isArray(found)) return found;
    const node = literalNode();
    // In precedence order, so each node's list is too.
    for (const entry of this.#entries(found)) {
      let at = node;
      // Segment 0 is `first`: the walk goes on from segment 1.
      for (let i = 1; i < entry.route.segments.length; i++) {
        const segment = entry.route.segments[i]!;
        if (!('literal' in segment)) break;
        // Most nodes are leaves (one function's path): a map of children is made only for those that have one.
        at.children ??= new Map();
        let child = at.children.get(segment.literal);
        if (!child) at.children.set(segment.literal, (child = literalNode()));
        at = child;
      }
      at.entries.push(entry);
    }
    this.#firstSegments.set(first, node);
    return node;
  }
}

/** Whether `a` takes precedence over `b`: more specific, or as specific and deployed earlier. */
function outranks(a: Entry, b: Entry): boolean {
  return a.specificity > b.specificity || (a.specificity === b.specificity && a.order < b.order);
}

function compileVersion(version: VersionRecord, unparseable: UnparseableRoute): CompiledVersion {
  const byName = new Map<string, Named>();
  const routes = parsedRoutes(version.functions);
  for (const fn of version.functions) {
    if (fn.kind !== 'http') continue;
    const target: RouteTarget = {
      app: version.app, functionName: fn.name, version: version.version,
      auth: (fn.trigger['auth'] as RouteTarget['auth'] | undefined) ?? 'anonymous',
    };
    let route = routes.get(fn.name) ?? null;
    if (route instanceof Error) {
      // A deploy refuses such a route; one deployed by a node with other rules is left unserved here, reported once
      // (each version is compiled once), rather than failing every lookup that comes near it.
      unparseable(target, fn.trigger['route'] as string, route);
      route = null;
    }
    byName.set(fn.name, { target, route, specificity: route ? specificity(route) : 0 });
  }
  return { byName };
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
