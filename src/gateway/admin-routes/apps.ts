import { z } from 'zod';
import { adminRoute } from '../admin-route.js';
import { epochMs, nextCursor, pageQuery, record } from './common.js';

/** Deploy bodies carry the bundle and its source map as JSON strings. */
export const MAX_DEPLOY_BODY_BYTES = 64 * 1024 * 1024;
const MAX_ROLLBACK_BODY_BYTES = 4096;

export const deployBody = z.object({ bundle: z.string(), sourceMap: z.string().optional() });
/** No body at all means "the version before the live one", as `{}` does. */
export const rollbackBody = z.strictObject({ to: z.number().int().min(1).optional() }).optional();

const nextRun = z.object({ utc: z.string(), zoned: z.string(), timezone: z.string() });
const deployedFunction = z.looseObject({
  name: z.string(), kind: z.enum(['http', 'queue', 'timer', 'blob']), route: z.string().nullable(),
  url: z.string().nullable().describe("an HTTP function's /fn/<app>/<function> address, which every HTTP function has"),
  routeUrl: z.string().nullable().describe("an HTTP function's route at the node's root, parameters as written (…/hello/:name); null without a route"),
  trigger: record, next: nextRun.nullable(),
});
const functionSummary = deployedFunction.extend({ instances: z.number(), inflight: z.number(), waiting: z.number(), settings: record });
const appSummary = z.looseObject({ name: z.string(), liveVersion: z.number(), createdAt: epochMs, updatedAt: epochMs, functions: z.array(functionSummary) });

export const appRoutes = {
  list: adminRoute({
    method: 'GET', path: '/apps', summary: 'List apps (by name) with their live version, functions and running instances', query: pageQuery,
    response: z.object({ apps: z.array(appSummary), nextCursor }),
  }),
  get: adminRoute({ method: 'GET', path: '/apps/:app', summary: 'One app', response: z.object({ app: appSummary }) }),
  remove: adminRoute({ method: 'DELETE', path: '/apps/:app', summary: 'Remove an app and all its versions', response: z.object({ removed: z.literal(true) }) }),
  deploy: adminRoute({
    method: 'POST', path: '/apps/:app/versions', summary: 'Deploy a bundle as a new live version: {bundle, sourceMap?} (200 when unchanged)',
    body: deployBody, maxBodyBytes: MAX_DEPLOY_BODY_BYTES, statuses: [201, 200],
    query: { createBudgets: '1: create each budget the functions name (`uses`) that does not exist, with concurrency 10, no rate, not adaptive; else such a deploy is refused' },
    response: z.object({
      app: z.string(), version: z.number(), unchanged: z.boolean(), functions: z.array(deployedFunction), warnings: z.array(z.string()), durationMs: z.number(),
      /** Budgets the deploy created (createBudgets=1); absent from nodes older than budgets. */
      createdBudgets: z.array(z.string()).optional(),
    }),
  }),
  versions: adminRoute({
    method: 'GET', path: '/apps/:app/versions', summary: 'List versions of an app, oldest first (order=newest: newest first)',
    query: { ...pageQuery, order: 'oldest (default) or newest first' },
    response: z.object({
      nextCursor,
      versions: z.array(z.object({
        version: z.number(), createdAt: epochMs, bundleHash: z.string(), bundleSize: z.number(), functions: z.array(z.string()), live: z.boolean(),
      })),
    }),
  }),
  rollback: adminRoute({
    method: 'POST', path: '/apps/:app/rollback', summary: 'Make an earlier version live: {to?} (the version before the live one when absent)',
    body: rollbackBody, maxBodyBytes: MAX_ROLLBACK_BODY_BYTES,
    response: z.object({ app: z.string(), liveVersion: z.number(), previousVersion: z.number().nullable() }),
  }),
  invoke: adminRoute({
    method: 'POST', path: '/apps/:app/functions/:fn/invoke',
    summary: 'Invoke any function with the request body as its input (x-nimbus-method sets the method an HTTP function sees)',
    rawBody: { contentType: '*/*', description: "an HTTP function's request body; JSON input for other kinds" },
    response: z.unknown().describe("the function's own answer"),
    alternative: { contentType: '*/*', description: "the function's answer: its status, headers and body" },
  }),
};
