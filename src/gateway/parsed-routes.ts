import { parseRoute, type Route } from '../triggers/http/route.js';
import type { FunctionManifest } from '../store/store.js';

const parsed = new WeakMap<readonly FunctionManifest[], ReadonlyMap<string, Route | Error>>();

/**
 * The declared routes of a version's functions by function name, each parsed once for as long as the version's
 * function list lives: the route table and a deploy's conflict check read the same versions. A route parseRoute
 * refuses is its Error (a deploy refuses it; one a node with other rules deployed is not served here).
 */
export function parsedRoutes(functions: readonly FunctionManifest[]): ReadonlyMap<string, Route | Error> {
  let routes = parsed.get(functions);
  if (!routes) {
    const byName = new Map<string, Route | Error>();
    for (const fn of functions) {
      const spec = fn.kind === 'http' ? (fn.trigger['route'] as string | null | undefined) : null;
      if (!spec) continue;
      try {
        byName.set(fn.name, parseRoute(spec));
      } catch (err) {
        byName.set(fn.name, err instanceof Error ? err : new Error(String(err)));
      }
    }
    parsed.set(functions, (routes = byName));
  }
  return routes;
}
