import type { AdminResult } from '../../src/gateway/admin-result.js';
import type { AdminRouter } from '../../src/gateway/admin-router.js';
import { NimbusError } from '../../src/shared/errors.js';

/**
 * Calls one admin route as the gateway would after authorizing it (404, 405,
 * body validated by the route), without HTTP. `path` is below `/_nimbus/api/v1`.
 */
export function routeCaller(router: AdminRouter) {
  return async (method: string, pathAndQuery: string, body?: unknown, query: string | URLSearchParams = ''): Promise<AdminResult> => {
    const [path = '', inPath] = pathAndQuery.split('?');
    if (inPath !== undefined) query = inPath;
    const match = router.match(method, path);
    if (match === null) throw new NimbusError('NIMBUS_ERR_API_NOT_FOUND', `${method} ${path}`);
    if (match === 'method') throw new NimbusError('NIMBUS_ERR_METHOD_NOT_ALLOWED', `${method} ${path}`, { allow: router.allowedMethods(path) });
    // Streaming routes (invoke, logs that follow) are tested over HTTP; these never touch req or res.
    const result = await match.route.run({ req: undefined as never, res: undefined as never, params: match.params, query: new URLSearchParams(query), path, caller: undefined, rawBody: body });
    if (!result) throw new Error(`${method} ${path} streams: test it over HTTP`);
    return result;
  };
}

/** The same, naming the path by its segments (each encoded), as `['apps', 'shop', 'secrets']`. */
export function segmentCaller(router: AdminRouter) {
  const call = routeCaller(router);
  return (method: string, parts: readonly string[], body?: unknown, query?: URLSearchParams): Promise<AdminResult> => {
    const last = parts.at(-1) ?? '';
    const q = last.indexOf('?');
    const segments = q < 0 ? parts : [...parts.slice(0, -1), last.slice(0, q)];
    return call(method, `/${segments.map(encodeURIComponent).join('/')}${q < 0 ? '' : last.slice(q)}`, body, query);
  };
}
