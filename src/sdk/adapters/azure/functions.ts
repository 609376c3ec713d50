/**
 * Registrations become Nimbus definitions: `httpTrigger` → http(),
 * `queueTrigger` → queue(), `blobTrigger` → blob(), `timerTrigger` → timer(),
 * each marked `origin: 'azure'`. The handler keeps Azure's signature; the
 * wrappers here build what Azure would pass it and turn what it returns (or
 * throws) into what Nimbus expects.
 */
import { randomUUID } from 'node:crypto';
import { blob, http, queue, timer } from '../../index.js';
import type { BaseContext } from '../../context.js';
import type { AuthLevel, BlobEvent, FunctionDefinition, QueueMessage } from '../../definition.js';
import { registered, type Registration, type RetryOptions, type Duration } from './app.js';
import { invokeWithHooks } from './hooks.js';
import { httpResult, readExtraInputs, wholeBlob, writeOutputs, type BindingData } from './binding-data.js';
import { HttpRequest, toNimbusResponse, type HttpRequestInit } from './http.js';
import { InvocationContext, type TriggerMetadata } from './invocation-context.js';
import { nimbusFunctionName } from '../function-name.js';
import { parseRouteTemplate } from './route-template.js';
import { timerFromTick } from './timer-info.js';
import { cronFromSchedule } from './schedule.js';

/** What the generated entry passes: host.json's settings and what the deploy already left out. */
export interface AzureAppConfig {
  /** host.json `extensions.http.routePrefix`; default 'api'. */
  routePrefix?: string;
  /** host.json `extensions.queues`. */
  queues?: { batchSize?: number; maxDequeueCount?: number; visibilityTimeoutMs?: number };
  /** Functions the deploy listed as unsupported (and was told to leave out): skipped, not refused again. */
  leftOut?: string[];
}

/** Azure's defaults for storage queues (host.json reference). */
export const AZURE_QUEUE_DEFAULTS = { batchSize: 16, maxDequeueCount: 5, visibilityTimeoutMs: 0 };
/** How long Nimbus leases a batch by default: the message is visible again after it. */
const LEASE_MS = 30_000;
/** Azure keeps a queue message 7 days unless told otherwise. */
const MESSAGE_TTL_MS = 7 * 24 * 3600 * 1000;
const ROUTE_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'];
const AUTH_LEVELS: Record<string, AuthLevel> = { anonymous: 'anonymous', function: 'key', admin: 'admin' };
const SUPPORTED_TRIGGERS = ['httpTrigger', 'queueTrigger', 'blobTrigger', 'timerTrigger'];

/** Every registered function as a Nimbus definition, by its Nimbus name. */
export function nimbusFunctions(config: AzureAppConfig = {}): Record<string, FunctionDefinition> {
  const definitions: Record<string, FunctionDefinition> = {};
  const azureNames = new Map<string, string>();
  for (const registration of registered()) {
    if (config.leftOut?.includes(registration.name)) continue;
    const name = nimbusFunctionName(registration.name);
    const clash = azureNames.get(name);
    if (clash !== undefined) throw new Error(`the Azure functions "${clash}" and "${registration.name}" both map to the Nimbus name ${name}: rename one`);
    azureNames.set(name, registration.name);
    try {
      definitions[name] = definitionFor(registration, config);
    } catch (err) {
      throw new Error(`Azure function "${registration.name}": ${(err as Error).message}`);
    }
  }
  return definitions;
}

function definitionFor(registration: Registration, config: AzureAppConfig): FunctionDefinition {
  const type = registration.trigger?.type;
  switch (type) {
    case 'httpTrigger': return httpFunction(registration, config);
    case 'queueTrigger': return queueFunction(registration, config);
    case 'blobTrigger': return blobFunction(registration);
    case 'timerTrigger': return timerFunction(registration);
    default:
      throw new Error(`its ${String(type)} trigger (app.${registration.method}) has no Nimbus equivalent; Nimbus runs ${SUPPORTED_TRIGGERS.join(', ')}`);
  }
}

/** `%NAME%` in a trigger setting is the app setting NAME, as on Azure: here, the function's environment. */
export function appSetting(value: unknown, field: string): string {
  if (typeof value !== 'string' || value === '') throw new Error(`${field} must be a non-empty string`);
  return value.replace(/%([^%]+)%/g, (_, name: string) => {
    const found = process.env[name];
    if (found === undefined) throw new Error(`${field} reads the app setting %${name}%, which is not set (nimbus secrets set APP ${name}=...)`);
    return found;
  });
}

function contextFor(registration: Registration, ctx: BaseContext, triggerMetadata?: TriggerMetadata): InvocationContext {
  return new InvocationContext({
    invocationId: ctx.invocationId,
    functionName: registration.name,
    ...(triggerMetadata ? { triggerMetadata } : {}),
    options: {
      trigger: registration.trigger,
      ...(registration.return ? { return: registration.return } : {}),
      extraInputs: registration.extraInputs,
      extraOutputs: registration.extraOutputs,
    },
  });
}

/** Runs the handler between its extra inputs and outputs. */
async function run(registration: Registration, input: unknown, context: InvocationContext, ctx: BaseContext, data: BindingData): Promise<unknown> {
  await readExtraInputs(registration, context, ctx, data);
  const result = await invokeWithHooks(registration.handler, input, context);
  await writeOutputs(registration, context, result, ctx, data);
  return result;
}

function sys(registration: Registration): Record<string, string> {
  return { methodName: registration.name, utcNow: new Date().toISOString(), randGuid: randomUUID() };
}

function errorResponse(status: number, code: string, message: string, headers: Record<string, string> = {}): Response {
  return Response.json({ error: { code, message } }, { status, headers });
}

const NO_DATA: BindingData = Object.freeze({});

function httpFunction(registration: Registration, config: AzureAppConfig): FunctionDefinition {
  const trigger = registration.trigger;
  const methods = ((trigger['methods'] as string[] | undefined) ?? ['GET', 'POST']).map((m) => String(m).toUpperCase());
  const auth = AUTH_LEVELS[String(trigger['authLevel'] ?? 'anonymous')];
  if (!auth) throw new Error(`authLevel "${String(trigger['authLevel'])}" must be anonymous, function or admin`);
  const route = parseRouteTemplate(trigger['route'] === undefined ? registration.name : String(trigger['route']), config.routePrefix ?? 'api');
  // One method is the route's; several share a route that takes any method, and the wrapper answers 405 for the others.
  const method = methods.length === 1 && ROUTE_METHODS.includes(methods[0]!) ? methods[0]! : '*';
  const serves = (m: string): boolean => methods.includes(m) || (m === 'HEAD' && methods.includes('GET'));
  // Binding expressions ({query.x}, {headers.y}) are read only by extra inputs and non-HTTP outputs: most functions have none.
  const needsData = registration.extraInputs.length > 0 || [...registration.extraOutputs, registration.return].some((o) => o !== undefined && o.type !== 'http');
  return http({ route: `${method} ${route.path}`, auth, origin: 'azure' }, async (req, ctx) => {
    if (!serves(req.method)) {
      return errorResponse(405, 'NIMBUS_ERR_METHOD_NOT_ALLOWED', `${registration.name} serves ${methods.join(', ')}`, { allow: methods.join(', ') });
    }
    const params = route.match(ctx.params);
    if (!params) return errorResponse(404, 'NIMBUS_ERR_ROUTE_NOT_FOUND', `the path does not match the route of ${registration.name} (a parameter breaks its constraint)`);
    const request = new HttpRequest({ nativeRequest: req, params } as HttpRequestInit);
    const context = contextFor(registration, ctx);
    const data = needsData ? { ...params, query: Object.fromEntries(request.query), headers: Object.fromEntries(req.headers) } : NO_DATA;
    const result = await run(registration, request, context, ctx, data);
    return toNimbusResponse(httpResult(registration, context, result));
  });
}

/** Azure's queue trigger hands over the message text parsed as JSON when it is JSON, else the text. */
function queueEntry(body: unknown): unknown {
  if (typeof body !== 'string') return body;
  try {
    return JSON.parse(body);
  } catch {
    return body;
  }
}

function queueFunction(registration: Registration, config: AzureAppConfig): FunctionDefinition {
  const queueName = appSetting(registration.trigger['queueName'], 'queueName');
  const settings = { ...AZURE_QUEUE_DEFAULTS, ...config.queues };
  return queue({
    queue: queueName,
    batchSize: settings.batchSize,
    maxAttempts: settings.maxDequeueCount,
    // Azure moves a message to `<queue>-poison` after maxDequeueCount tries, each after visibilityTimeout.
    deadLetterQueue: `${queueName}-poison`,
    backoff: { initialMs: settings.visibilityTimeoutMs, maxMs: settings.visibilityTimeoutMs },
    origin: 'azure',
  }, async (batch, ctx) => {
    // Azure runs the messages of a batch side by side, one invocation each; a failed one alone is retried.
    const failed: string[] = [];
    await Promise.all(batch.messages.map(async (message) => {
      const entry = queueEntry(message.body);
      const triggerMetadata = queueMetadata(message, entry, registration);
      try {
        // A JSON message's properties are binding data too (`{orderId}` in an output path), under the metadata.
        const data = typeof entry === 'object' && entry !== null && !Array.isArray(entry) ? { ...entry, ...triggerMetadata } : triggerMetadata;
        await run(registration, entry, contextFor(registration, ctx, triggerMetadata), ctx, data);
      } catch (err) {
        console.error(`${registration.name}: message ${message.id} failed (dequeue count ${message.attempt}):`, err);
        failed.push(message.id);
      }
    }));
    return { failed };
  });
}

/** The queue trigger's metadata (Azure: QueueTrigger, DequeueCount, ExpirationTime, Id, InsertionTime, NextVisibleTime, PopReceipt), camel-cased as the v4 library gives it. */
function queueMetadata(message: QueueMessage, entry: unknown, registration: Registration): TriggerMetadata {
  const now = Date.now();
  return {
    queueTrigger: entry,
    dequeueCount: message.attempt,
    expirationTime: new Date(message.enqueuedAt + MESSAGE_TTL_MS).toISOString(),
    id: message.id,
    insertionTime: new Date(message.enqueuedAt).toISOString(),
    nextVisibleTime: new Date(now + LEASE_MS).toISOString(),
    popReceipt: `${message.id}:${message.attempt}`,
    sys: sys(registration),
  };
}

/** `container/{name}.{ext}` → bucket `container`, Nimbus path `{name**}.{ext**}` (Azure's captures may span `/`). */
export function blobTriggerPath(path: string): { bucket: string; path?: string } {
  const slash = path.indexOf('/');
  const bucket = slash < 0 ? path : path.slice(0, slash);
  const rest = slash < 0 ? '' : path.slice(slash + 1);
  if (bucket === '') throw new Error(`path "${path}" must start with a container name`);
  if (rest === '') return { bucket };
  return { bucket, path: rest.replace(/\{([A-Za-z_][A-Za-z0-9_]*)\}/g, '{$1**}') };
}

function blobFunction(registration: Registration): FunctionDefinition {
  const target = blobTriggerPath(appSetting(registration.trigger['path'], 'path'));
  // Azure's blob trigger fires for new and changed blobs, never for deleted ones.
  return blob({ ...target, events: ['created', 'updated'], origin: 'azure' }, async (event, ctx) => {
    const found = await ctx.blobs.get(event.bucket, event.key);
    if (!found) return; // deleted since the event: Azure would not see it either
    const content = await wholeBlob(found, `${event.bucket}/${event.key}`);
    const triggerMetadata = blobMetadata(event, found, registration);
    await run(registration, content, contextFor(registration, ctx, triggerMetadata), ctx, triggerMetadata);
  });
}

interface StoredBlob { size: number; etag: string; contentType: string; lastModified: number; metadata: Record<string, string> }

/** The blob trigger's metadata: the path's captures, BlobTrigger, Uri, Properties, Metadata. */
function blobMetadata(event: BlobEvent, found: StoredBlob, registration: Registration): TriggerMetadata {
  const md5 = /^"?([0-9a-f]{32})"?$/i.exec(found.etag)?.[1];
  return {
    ...event.params,
    blobTrigger: `${event.bucket}/${event.key}`,
    uri: `/_nimbus/api/v1/blobs/${event.bucket}/${event.key.split('/').map(encodeURIComponent).join('/')}`,
    properties: {
      blobType: 'Block',
      contentLength: found.size,
      contentType: found.contentType,
      eTag: found.etag,
      lastModified: new Date(found.lastModified).toISOString(),
      ...(md5 ? { contentHash: Buffer.from(md5, 'hex').toString('base64') } : {}),
    },
    metadata: found.metadata,
    sys: sys(registration),
  };
}

function ms(value: Duration | number): number {
  if (typeof value === 'number') return value;
  return ((value.hours ?? 0) * 3600 + (value.minutes ?? 0) * 60 + (value.seconds ?? 0)) * 1000 + (value.milliseconds ?? 0);
}

/** Nimbus's timers retry up to 20 attempts; Azure's run once unless given a retry policy. */
const MAX_TIMER_ATTEMPTS = 20;

function timerRetry(retry: RetryOptions | undefined): { maxAttempts: number; backoff?: { initialMs: number; maxMs: number } } {
  if (!retry) return { maxAttempts: 1 };
  const maxAttempts = retry.maxRetryCount < 0 ? MAX_TIMER_ATTEMPTS : Math.min(MAX_TIMER_ATTEMPTS, retry.maxRetryCount + 1);
  if (retry.strategy === 'fixedDelay') return { maxAttempts, backoff: { initialMs: ms(retry.delayInterval), maxMs: ms(retry.delayInterval) } };
  return { maxAttempts, backoff: { initialMs: ms(retry.minimumInterval), maxMs: ms(retry.maximumInterval) } };
}

function timerFunction(registration: Registration): FunctionDefinition {
  const trigger = registration.trigger;
  const cron = cronFromSchedule(appSetting(trigger['schedule'], 'schedule'));
  const timezone = process.env['WEBSITE_TIME_ZONE'];
  return timer({
    cron,
    ...(timezone ? { timezone } : {}),
    runOnStartup: trigger['runOnStartup'] === true,
    // Without the schedule monitor Azure does not run occurrences missed while it was down.
    catchUp: trigger['useMonitor'] === false ? 'skip' : 'once',
    ...timerRetry(registration.retry),
    origin: 'azure',
  }, async (tick, ctx) => {
    await run(registration, timerFromTick(tick), contextFor(registration, ctx), ctx, { sys: sys(registration) });
  });
}
