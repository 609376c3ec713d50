import { parseRoute } from '../../../../triggers/http/route.js';

/**
 * The Nimbus route for a Cloudflare route pattern (`example.com/api/*`): the
 * host part is dropped (the node serves every host) and the path becomes a
 * route for any method. A trailing `*` becomes Nimbus's rest segment; `/api*`
 * (which on Cloudflare also matches `/apix`) becomes `/api/*`, which matches
 * `/api` and everything under it. A pattern with no path (a custom domain, a
 * zone) takes every path. Throws the reason when Nimbus cannot serve it.
 */
export function nimbusRoute(pattern: string): { route: string; note?: string } {
  const trimmed = pattern.trim().replace(/^https?:\/\//, '');
  const slash = trimmed.indexOf('/');
  let path = slash < 0 ? '/*' : trimmed.slice(slash);
  const query = path.search(/[?#]/);
  if (query >= 0) path = path.slice(0, query);
  if (path.slice(0, -1).includes('*')) throw new Error(`"${pattern}": a wildcard may only end the path`);
  let note: string | undefined;
  if (path.endsWith('*') && !path.endsWith('/*')) {
    note = `${path} matches ${path.slice(0, -1)} and paths under it, not ${path.slice(0, -1)}<more>`;
    path = `${path.slice(0, -1)}/*`;
  }
  const route = `* ${path}`;
  try {
    parseRoute(route);
  } catch (err) {
    throw new Error(`"${pattern}": ${(err as Error).message}`);
  }
  return note === undefined ? { route } : { route, note };
}
