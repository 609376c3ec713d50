import type { TriggerKind } from '../sdk/definition.js';
import { NimbusError } from '../shared/errors.js';
import { didYouMean } from '../shared/suggest.js';
import type { FunctionManifest } from '../store/store.js';
import type { RouteTable } from './route-table.js';

/**
 * Why `/fn/<app>/<function>` found no HTTP function, told to the admin key (or
 * everyone under `nimbus dev`, see failure-audience.ts): no app of that name
 * is live (with the closest name), its live version has no function of that
 * name (likewise), or the function is one another trigger runs (and which
 * queue, bucket or schedule). Anyone else gets one answer for all three, as
 * before: which apps exist, and which queue, blob and timer functions they
 * have, is the operator's to know. Asked only once the lookup missed, so a
 * request that finds its function pays nothing for it.
 */
export async function functionPathMiss(
  routes: RouteTable,
  request: { method: string; path: string; app: string; functionName: string },
  seesNames: () => Promise<boolean>,
): Promise<NimbusError> {
  const { app, functionName } = request;
  if (!(await seesNames())) {
    return new NimbusError(
      'NIMBUS_ERR_ROUTE_NOT_FOUND',
      `${request.method} ${request.path}: no deployed app ${app} with an HTTP function ${functionName} (queue, blob and timer functions have no URL)`,
    );
  }
  const functions = routes.liveFunctions(app);
  if (!functions) return new NimbusError('NIMBUS_ERR_APP_NOT_FOUND', `${app} is not deployed${didYouMean(app, routes.liveApps())}`, { app });
  const fn = functions.find((f) => f.name === functionName);
  if (!fn) {
    const hint = didYouMean(functionName, functions.map((f) => f.name));
    return new NimbusError('NIMBUS_ERR_FUNCTION_NOT_FOUND', `app ${app} has no function ${functionName}${hint}`, { app, function: functionName });
  }
  // An HTTP function is always found by name: only an event function is left.
  return new NimbusError(
    'NIMBUS_ERR_FUNCTION_NOT_HTTP',
    `${app}/${functionName} is a ${fn.kind} function; ${runBy(fn)}, not requests`,
    { app, function: functionName, kind: fn.kind },
  );
}

/** What runs an event function: its queue, bucket or schedule. */
function runBy(fn: FunctionManifest): string {
  const setting = (name: string): string => {
    const value = fn.trigger[name];
    return typeof value === 'string' ? ` ${value}` : '';
  };
  const kind: TriggerKind = fn.kind;
  switch (kind) {
    case 'queue':
      return `messages sent to its queue${setting('queue')} run it`;
    case 'blob':
      return `changes to objects in its bucket${setting('bucket')} run it`;
    case 'timer': {
      const cron = setting('cron');
      return `its schedule${cron ? ` (${cron.trim()})` : ''} runs it`;
    }
    default:
      return 'its own trigger runs it';
  }
}
