import type { AdminRoute, PathParams, RouteRequestBody, RouteResponse } from '../../gateway/admin-route.js';
import type { Query } from './admin-transport.js';

/** What one call of a route needs: its path parameters, query and JSON body, typed from the route's declaration. */
export type RouteInput<R extends AdminRoute> = ([PathParams<R['path']>] extends [never] ? { params?: undefined } : { params: Record<PathParams<R['path']>, string> })
  & (RouteRequestBody<R> extends undefined ? { body?: undefined } : { body: RouteRequestBody<R> })
  & { query?: Query };

/** The answer of a route: its documented success body (null for 204). */
export type RouteOutput<R extends AdminRoute> = RouteResponse<R>;

/** `/apps/:app/secrets/:name` with `{app: 'shop', name: 'A B'}` → `/apps/shop/secrets/A%20B`; a `:rest*` keeps its slashes. */
export function routePath(route: AdminRoute, params: Record<string, string> = {}): string {
  return route.path.replace(/:([A-Za-z]+)(\*?)/g, (_, name: string, rest: string) => {
    const value = params[name] ?? '';
    return rest ? value.split('/').map(encodeURIComponent).join('/') : encodeURIComponent(value);
  });
}
