/**
 * What each `app.*` call found in the code becomes: its Nimbus name and
 * trigger for the deploy output, or the reason it cannot run. The shim
 * (src/sdk/adapters/azure) makes the same decisions at load with the real
 * values; this reads the literal ones to show them before the upload.
 */
import type { MappedFunction, UnsupportedItem } from '../app-format.js';
import { AZURE_QUEUE_DEFAULTS, blobTriggerPath, type AzureAppConfig } from '../../../../sdk/adapters/azure/functions.js';
import { nimbusFunctionName } from '../../../../sdk/adapters/function-name.js';
import { parseRouteTemplate } from '../../../../sdk/adapters/azure/route-template.js';
import { cronFromSchedule } from '../../../../sdk/adapters/azure/schedule.js';
import { literalMethods, literalOption, literalTrue, type FoundCall } from './source-scan.js';

const HTTP_METHODS: Record<string, string | undefined> = { http: undefined, get: 'GET', put: 'PUT', post: 'POST', patch: 'PATCH', deleteRequest: 'DELETE' };
const SUPPORTED = new Set([...Object.keys(HTTP_METHODS), 'storageQueue', 'storageBlob', 'timer']);
const NOT_FUNCTIONS = new Set(['setup', 'hook']);
const AUTH: Record<string, string> = { anonymous: 'anonymous', function: 'key', admin: 'admin' };

const UNSUPPORTED_TRIGGERS: Record<string, string> = {
  serviceBusQueue: 'Service Bus has no Nimbus equivalent (a storage queue maps to a Nimbus queue)',
  serviceBusTopic: 'Service Bus topics have no Nimbus equivalent',
  eventHub: 'Event Hubs has no Nimbus equivalent',
  eventGrid: 'Event Grid has no Nimbus equivalent',
  cosmosDB: 'the Cosmos DB change feed has no Nimbus equivalent',
  warmup: 'Nimbus has no warm-up trigger (minInstances keeps instances warm)',
  sql: 'the Azure SQL change trigger has no Nimbus equivalent',
  mySql: 'the MySQL change trigger has no Nimbus equivalent',
  webPubSub: 'Web PubSub has no Nimbus equivalent',
  generic: 'a generic trigger names an extension Nimbus may not have; register the function with app.http, storageQueue, storageBlob or timer',
  mcpTool: 'MCP triggers have no Nimbus equivalent',
  mcpResource: 'MCP triggers have no Nimbus equivalent',
  mcpPrompt: 'MCP triggers have no Nimbus equivalent',
  connectorTrigger: 'connector triggers have no Nimbus equivalent',
};

export interface CallMapping {
  mapped: MappedFunction[];
  unsupported: UnsupportedItem[];
  /** Azure names of the functions listed as unsupported: the shim leaves them out. */
  leftOut: string[];
}

export function mapCalls(calls: FoundCall[], config: AzureAppConfig): CallMapping {
  const result: CallMapping = { mapped: [], unsupported: [], leftOut: [] };
  for (const call of calls) {
    if (NOT_FUNCTIONS.has(call.method)) continue;
    const shown = `${call.file}: app.${call.method}(${call.name === null ? '<computed name>' : `'${call.name}'`})`;
    const refuse = (reason: string): void => {
      result.unsupported.push({ what: shown, reason });
      if (call.name !== null) result.leftOut.push(call.name);
    };
    if (!SUPPORTED.has(call.method)) {
      refuse(UNSUPPORTED_TRIGGERS[call.method] ?? `app.${call.method} is not part of the @azure/functions v4 surface Nimbus implements`);
      continue;
    }
    try {
      const to = describeTarget(call, config);
      result.mapped.push({ name: call.name === null ? '(named at run time)' : nimbusFunctionName(call.name), from: shown, to });
    } catch (err) {
      refuse((err as Error).message);
    }
  }
  return result;
}

function describeTarget(call: FoundCall, config: AzureAppConfig): string {
  const { args, method } = call;
  if (method in HTTP_METHODS) {
    const verb = HTTP_METHODS[method];
    const methods = verb ? [verb] : (literalMethods(args) ?? ['GET', 'POST']);
    const route = literalOption(args, 'route') ?? (/\broute\s*:/.test(args) ? undefined : call.name ?? undefined);
    const authLevel = literalOption(args, 'authLevel') ?? 'anonymous';
    const auth = AUTH[authLevel];
    if (!auth) throw new Error(`authLevel "${authLevel}" must be anonymous, function or admin`);
    const path = route === undefined ? '(route set in code)' : parseRouteTemplate(route, config.routePrefix ?? 'api').path;
    return `http ${methods.join(',')} ${path}${auth === 'anonymous' ? '' : ` (auth ${auth})`}`;
  }
  if (method === 'storageQueue') {
    const name = literalOption(args, 'queueName');
    const q = { ...AZURE_QUEUE_DEFAULTS, ...config.queues };
    return `queue ${name ?? '(named in code)'} (batch ${q.batchSize}, ${q.maxDequeueCount} attempts, then ${name ? `${name}-poison` : '<queue>-poison'})`;
  }
  if (method === 'storageBlob') {
    const path = literalOption(args, 'path');
    if (path === undefined || path.includes('%')) return 'blob (path set in code) on created, updated';
    const target = blobTriggerPath(path);
    return `blob ${target.bucket}/${target.path ?? '*'} on created, updated`;
  }
  const schedule = literalOption(args, 'schedule');
  const cron = schedule === undefined || schedule.includes('%') ? '(schedule set in code or app setting)' : cronFromSchedule(schedule);
  return `timer ${cron}${literalTrue(args, 'runOnStartup') ? ' (runOnStartup)' : ''}`;
}
