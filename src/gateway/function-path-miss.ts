import type { TriggerKind } from '../sdk/definition.js';
import { NimbusError } from '../shared/errors.js';
import { didYouMean } from '../shared/suggest.js';
import type { FunctionManifest } from '../store/store.js';
import type { RouteTable } from './route-table.js';

/**
 * Why `/fn/<app>/<function>` found no HTTP function: no app of that name is live, its live version has no function
 * of that name, or the function is one another trigger runs. Asked only once the lookup missed, so a request that
 * finds its function pays nothing for it.
 *
 * Whether an app or a function exists could be probed before (an existing function answers, or asks for its key).
 * What the caller did not name, the names of other apps and functions (in a "did you mean") and the queue, bucket
 * or schedule of an event function, is told only to `seesNames` callers: the admin key, or everyone under
 * `nimbus dev` (see failure-audience.ts).
 */
export async function functionPathMiss(
  routes: RouteTable,
  app: string,
  functionName: string,
  seesNames: () => Promise<boolean>,
): Promise<NimbusError> {
  const functions = routes.liveFunctions(app);
  if (!functions) {
    const hint = (await seesNames()) ? didYouMean(app, routes.liveApps()) : '';
    return new NimbusError('NIMBUS_ERR_APP_NOT_FOUND', `${app} is not deployed${hint}`, { app });
  }
  const fn = functions.find((f) => f.name === functionName);
  if (!fn) {
    const hint = (await seesNames()) ? didYouMean(functionName, functions.map((f) => f.name)) : '';
    return new NimbusError('NIMBUS_ERR_FUNCTION_NOT_FOUND', `app ${app} has no function ${functionName}${hint}`, { app, function: functionName });
  }
  // An HTTP function is always found by name: only an event function is left.
  return new NimbusError(
    'NIMBUS_ERR_FUNCTION_NOT_HTTP',
    `${app}/${functionName} is a ${fn.kind} function; ${runBy(fn, await seesNames())}, not requests`,
    { app, function: functionName, kind: fn.kind },
  );
}

/** What runs an event function, with its queue, bucket or schedule when the caller may see it. */
function runBy(fn: FunctionManifest, named: boolean): string {
  const setting = (name: string): string => {
    const value = fn.trigger[name];
    return named && typeof value === 'string' ? ` ${value}` : '';
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
