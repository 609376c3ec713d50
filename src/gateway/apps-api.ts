import type { CredentialFilter } from '../auth/credential-filter.js';
import type { Dispatcher } from '../runtime/dispatcher.js';
import type { DeploymentRegistry } from '../server/deployments.js';
import type { AuthLevel } from '../sdk/definition.js';
import { NimbusError } from '../shared/errors.js';
import type { FunctionManifest, VersionRecord } from '../store/store.js';
import type { AdminRouter } from './admin-router.js';
import { appRoutes } from './admin-routes/apps.js';
import type { FailureAudience } from './failure-audience.js';
import { handleFunctionRequest } from './function-handler.js';
import { readJsonBody } from './json.js';
import { byName, pageOf, readPageQuery, type ListOrder } from './list-page.js';
import { formatInZone, Schedule } from '../triggers/timer/schedule.js';

export { MAX_DEPLOY_BODY_BYTES } from './admin-routes/apps.js';
export const MAX_INVOKE_BODY_BYTES = 6 * 1024 * 1024;
const APPS_BY_NAME = byName<{ name: string }>((app) => app.name);
const VERSIONS_OLDEST_FIRST: ListOrder<VersionRecord> = { position: (v) => [v.version], compare: (a, b) => Number(a[0]) - Number(b[0]), shape: ['number'] };
const VERSIONS_NEWEST_FIRST: ListOrder<VersionRecord> = { ...VERSIONS_OLDEST_FIRST, compare: (a, b) => Number(b[0]) - Number(a[0]) };

function versionOrder(order: string | null): ListOrder<VersionRecord> {
  if (order === null || order === '' || order === 'oldest') return VERSIONS_OLDEST_FIRST;
  if (order === 'newest') return VERSIONS_NEWEST_FIRST;
  throw new NimbusError('NIMBUS_ERR_QUERY_INVALID', `order: must be oldest or newest, got "${order}"`, { field: 'order' });
}

/** `1`/`true` or `0`/`false` (absent: false); anything else is a 400 naming the parameter. */
function booleanQuery(query: URLSearchParams, name: string): boolean {
  const raw = query.get(name);
  if (raw === null || raw === '' || raw === '0' || raw === 'false') return false;
  if (raw === '1' || raw === 'true') return true;
  throw new NimbusError('NIMBUS_ERR_QUERY_INVALID', `${name}: must be 1 or 0, got "${raw}"`, { field: name });
}

/** The methods a function's Request can carry (fetch refuses CONNECT, TRACE and TRACK). */
const INVOKE_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

export interface FunctionSummary {
  name: string;
  kind: string;
  route: string | null;
  /** `/fn/<app>/<function>`: reaches every HTTP function, with or without a route. */
  url: string | null;
  /** Where the route is served, at the node's root with its parameters as written (`/hello/:name`); null without a route. */
  routeUrl: string | null;
  instances: number;
  /** Invocations running now and waiting for an instance now, over every version still serving. */
  inflight: number;
  waiting: number;
  settings: FunctionManifest['settings'];
  trigger: Record<string, unknown>;
  /** A timer's next scheduled time, in UTC and in its own zone; null for other kinds (and a schedule that never fires again). */
  next: NextRun | null;
}

export interface NextRun {
  utc: string;
  /** ISO 8601 local time with its offset in the timer's zone, e.g. 2026-12-04T02:30:00+01:00. */
  zoned: string;
  timezone: string;
}

/** When a timer fires next, from its validated trigger (cron and zone). */
export function nextRunOf(f: Pick<FunctionManifest, 'kind' | 'trigger'>, now: number): NextRun | null {
  if (f.kind !== 'timer') return null;
  const cron = f.trigger['cron'];
  const timezone = f.trigger['timezone'];
  if (typeof cron !== 'string' || typeof timezone !== 'string') return null;
  const next = new Schedule(cron, timezone).nextAfter(now);
  return next === null ? null : { utc: new Date(next).toISOString(), zoned: formatInZone(next, timezone), timezone };
}

/**
 * The route's own address: the node's root and the route's path (`GET /hello/:name` → `<base>/hello/:name`). The path
 * is what follows the method, if any: every stored route passed parseRoute at its deploy, and a listing of many
 * functions should not parse each route again.
 */
function routeUrlOf(baseUrl: string, route: string | null): string | null {
  const path = route?.trim().split(/\s+/).pop();
  return path?.startsWith('/') ? `${baseUrl}${path}` : null;
}

/** The apps area of the admin API: deploy, list, versions, rollback, remove, invoke. */
export function addAppsApi(
  router: AdminRouter, deployments: DeploymentRegistry, dispatcher: Dispatcher, baseUrl: () => string, credentials: CredentialFilter, failureAudience?: FailureAudience,
): void {
  const summarize = (version: VersionRecord | undefined): FunctionSummary[] => {
    if (!version) return [];
    const counts = new Map<string, { instances: number; inflight: number; waiting: number }>();
    for (const i of dispatcher.instances()) {
      if (i.app !== version.app) continue;
      const sum = counts.get(i.functionName) ?? { instances: 0, inflight: 0, waiting: 0 };
      counts.set(i.functionName, { instances: sum.instances + i.instances, inflight: sum.inflight + i.inflight, waiting: sum.waiting + i.waiting });
    }
    return version.functions.map((f) => {
      const route = f.kind === 'http' ? ((f.trigger['route'] as string | null) ?? null) : null;
      return {
        name: f.name, kind: f.kind, route,
        url: f.kind === 'http' ? `${baseUrl()}/fn/${version.app}/${f.name}` : null,
        routeUrl: routeUrlOf(baseUrl(), route),
        instances: 0, inflight: 0, waiting: 0, ...counts.get(f.name), settings: f.settings, trigger: f.trigger, next: nextRunOf(f, Date.now()),
      };
    });
  };
  const appJson = async (name: string) => {
    const app = (await deployments.apps()).find((a) => a.name === name);
    if (!app) throw new NimbusError('NIMBUS_ERR_APP_NOT_FOUND', name);
    const live = deployments.live().find((v) => v.app === name);
    return { ...app, functions: summarize(live) };
  };

  router.add(appRoutes.list, async ({ query }) => {
    const page = pageOf(await deployments.apps(), readPageQuery(query, APPS_BY_NAME), APPS_BY_NAME);
    const live = new Map(deployments.live().map((v) => [v.app, v]));
    return { status: 200, body: { apps: page.items.map((a) => ({ ...a, functions: summarize(live.get(a.name)) })), nextCursor: page.nextCursor } };
  });

  router.add(appRoutes.get, async ({ params }) => ({ status: 200, body: { app: await appJson(params.app) } }));

  router.add(appRoutes.remove, async ({ params }) => {
    await deployments.remove(params.app);
    return { status: 200, body: { removed: true } };
  });

  router.add(appRoutes.deploy, async ({ params, query, body: { bundle, sourceMap } }) => {
    // Timed from a whole body to live: the CLI tells upload time from the node's own work with it.
    const started = performance.now();
    const createBudgets = booleanQuery(query, 'createBudgets');
    const version = await deployments.deploy(params.app, { bundle, ...(sourceMap ? { sourceMap } : {}) }, { createBudgets });
    const functions = summarize(version).map(({ name, kind, route, url, routeUrl, trigger, next }) => ({ name, kind, route, url, routeUrl, trigger, next }));
    return {
      status: version.unchanged ? 200 : 201,
      body: {
        app: version.app, version: version.version, unchanged: version.unchanged, functions, warnings: version.warnings,
        durationMs: Math.round(performance.now() - started), createdBudgets: version.createdBudgets,
      },
    };
  });

  router.add(appRoutes.versions, async ({ params, query }) => {
    const order = versionOrder(query.get('order'));
    const app = await appJson(params.app);
    const stored = await deployments.versions(app.name);
    const page = pageOf(order === VERSIONS_NEWEST_FIRST ? [...stored].reverse() : stored, readPageQuery(query, order), order);
    return {
      status: 200,
      body: {
        nextCursor: page.nextCursor,
        versions: page.items.map((v) => ({
          version: v.version, createdAt: v.createdAt, bundleHash: v.bundleHash, bundleSize: v.bundleSize,
          functions: v.functions.map((f) => f.name), live: v.version === app.liveVersion,
        })),
      },
    };
  });

  router.add(appRoutes.rollback, async ({ params, body }) => {
    const result = await deployments.rollback(params.app, body?.to);
    return { status: 200, body: { app: params.app, ...result } };
  });

  router.add(appRoutes.invoke, async ({ req, res, params }) => {
    const app = params.app;
    const fnName = params.fn;
    const version = deployments.liveVersion(app);
    const fn = deployments.liveFunction(app, fnName);
    if (version === undefined || !fn) throw new NimbusError('NIMBUS_ERR_FUNCTION_NOT_FOUND', `${app}/${fnName}`);
    const method = String(req.headers['x-nimbus-method'] ?? 'POST').toUpperCase();
    if (!INVOKE_METHODS.has(method)) {
      throw new NimbusError('NIMBUS_ERR_BODY_INVALID', `x-nimbus-method must be one of ${[...INVOKE_METHODS].join(', ')}`, { field: 'x-nimbus-method' });
    }
    // An event function's input is JSON: checked here (size, depth, syntax) so a bad one is the caller's 400, not the function's error.
    const body = fn.kind === 'http' ? undefined : Buffer.from(JSON.stringify((await readJsonBody(req, MAX_INVOKE_BODY_BYTES)) ?? null));
    await handleFunctionRequest(req, res, dispatcher, { app, functionName: fnName, version, auth: 'admin' }, {
      params: {}, maxBodyBytes: MAX_INVOKE_BODY_BYTES, trigger: fn.kind === 'http' ? 'http' : 'manual', method, credentials, failureAudience, ...(body ? { body } : {}),
    });
    return undefined;
  }, { auth: async (params) => {
    // An HTTP function is invoked here by the same rule as at its route (a function key for it will do); anything else needs the admin key.
    const fn = deployments.liveFunction(params['app']!, params['fn']!);
    if (!fn || fn.kind !== 'http') return { kind: 'admin' };
    return { kind: 'invoke', app: params['app']!, fn: fn.name, level: (fn.trigger['auth'] as AuthLevel | undefined) ?? 'anonymous' };
  } });
}
