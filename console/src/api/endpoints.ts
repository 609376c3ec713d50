import manifest from 'nimbus:admin-routes';
import type { AdminMethod, AdminRoute, PathParams, RouteRequestBody, RouteResponse } from '../../../src/gateway/admin-route.js';
import type { adminRoutes } from '../../../src/gateway/admin-routes/index.js';

/**
 * One admin API operation as the console calls it: its method and path (data,
 * from the build's manifest) and, as types only, its path parameters, body
 * and answer, taken from the route's declaration.
 */
export interface Endpoint<Params extends string = string, Body = unknown, Response = unknown> {
  readonly method: AdminMethod;
  readonly path: string;
  /** Never present at run time: carries the types. */
  readonly types?: { params: Params; body: Body; response: Response };
}

type EndpointOf<R> = R extends AdminRoute ? Endpoint<PathParams<R['path']>, RouteRequestBody<R>, RouteResponse<R>> : never;
type AdminRoutes = typeof adminRoutes;

/** Every declared route, by area and name, as in src/gateway/admin-routes/index.ts. */
export type RouteManifest = { readonly [Area in keyof AdminRoutes]: { readonly [Name in keyof AdminRoutes[Area]]: EndpointOf<AdminRoutes[Area][Name]> } };

/** The build generates the manifest from the same declarations these types come from. */
export const routes = manifest as unknown as RouteManifest;

export type ResponseOf<E> = E extends Endpoint<string, unknown, infer R> ? R : never;
