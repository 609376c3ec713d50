/**
 * The `app` namespace of @azure/functions v4: each call registers a function
 * as Azure's library does (options folded into a trigger, a return and extra
 * bindings). Nothing runs here; the generated entry turns the registrations
 * into Nimbus definitions once every entry file has loaded.
 */
import { output, trigger, type FunctionInput, type FunctionOutput, type FunctionTrigger, type HttpTriggerOptions, type StorageBlobTriggerOptions, type StorageQueueOptions, type TimerTriggerOptions } from './bindings.js';
import type { HttpRequest, HttpResponse, HttpResponseInit } from './http.js';
import type { InvocationContext } from './invocation-context.js';
import type { Timer } from './timer-info.js';
import { clearHooks, hook } from './hooks.js';

export type FunctionResult<T = unknown> = T | Promise<T>;

export interface Duration {
  hours?: number;
  minutes?: number;
  seconds?: number;
  milliseconds?: number;
}

export type RetryOptions =
  | { strategy: 'fixedDelay'; maxRetryCount: number; delayInterval: Duration | number }
  | { strategy: 'exponentialBackoff'; maxRetryCount: number; minimumInterval: Duration | number; maximumInterval: Duration | number };

export type HttpHandler = (request: HttpRequest, context: InvocationContext) => FunctionResult<HttpResponseInit | HttpResponse | void>;
export type TimerHandler = (myTimer: Timer, context: InvocationContext) => FunctionResult;
export type StorageQueueHandler<T = unknown> = (queueEntry: T, context: InvocationContext) => FunctionResult;
export type StorageBlobHandler<T = unknown> = (blob: T, context: InvocationContext) => FunctionResult;
/** The trigger's input is whatever that trigger delivers. */
export type FunctionHandler = (triggerInput: never, context: InvocationContext) => FunctionResult;

interface ExtraBindings {
  return?: FunctionOutput;
  extraInputs?: FunctionInput[];
  extraOutputs?: FunctionOutput[];
  retry?: RetryOptions;
}

export interface HttpFunctionOptions extends HttpTriggerOptions, ExtraBindings {
  handler: HttpHandler;
  trigger?: FunctionTrigger;
}
export type HttpMethodFunctionOptions = Omit<HttpFunctionOptions, 'methods'>;
export interface TimerFunctionOptions extends TimerTriggerOptions, ExtraBindings {
  handler: TimerHandler;
  trigger?: FunctionTrigger;
}
export interface StorageQueueFunctionOptions<T = unknown> extends StorageQueueOptions, ExtraBindings {
  handler: StorageQueueHandler<T>;
  trigger?: FunctionTrigger;
}
export interface StorageBlobFunctionOptions<T = unknown> extends StorageBlobTriggerOptions, ExtraBindings {
  handler: StorageBlobHandler<T>;
  trigger?: FunctionTrigger;
}
export interface GenericFunctionOptions extends ExtraBindings {
  trigger: FunctionTrigger;
  handler: FunctionHandler;
}

/** One `app.*` call, as Azure's library normalises it. */
export interface Registration {
  name: string;
  /** The `app` method called: `http`, `get`, `storageQueue`, `cosmosDB`… */
  method: string;
  trigger: FunctionTrigger;
  handler: (input: unknown, context: InvocationContext) => unknown;
  return?: FunctionOutput;
  extraInputs: FunctionInput[];
  extraOutputs: FunctionOutput[];
  retry?: RetryOptions;
}

const registrations: Registration[] = [];

/** Every function registered so far, in registration order. */
export function registered(): readonly Registration[] {
  return registrations;
}

/** For tests: forget what was registered. */
export function clearRegistrations(): void {
  registrations.length = 0;
  clearHooks();
}

function register(method: string, name: string, options: GenericFunctionOptions): void {
  if (typeof name !== 'string' || name === '') throw new Error(`app.${method}() needs a function name`);
  if (typeof options?.handler !== 'function') throw new Error(`app.${method}('${name}') needs a handler function`);
  if (registrations.some((r) => r.name.toLowerCase() === name.toLowerCase())) throw new Error(`A function with the name "${name}" has already been registered.`);
  registrations.push({
    name, method, trigger: options.trigger,
    handler: options.handler as unknown as Registration['handler'],
    ...(options.return ? { return: options.return } : {}),
    extraInputs: options.extraInputs ?? [],
    extraOutputs: options.extraOutputs ?? [],
    ...(options.retry ? { retry: options.retry } : {}),
  });
}

/** Azure's convertToGenericOptions: what is not a binding or the handler describes the trigger. */
function generic<O extends ExtraBindings & { handler: unknown; trigger?: FunctionTrigger }>(
  method: string, name: string, options: O, makeTrigger: (rest: Record<string, unknown>) => FunctionTrigger,
): void {
  const { handler, return: ret, trigger: given, extraInputs, extraOutputs, retry, ...triggerOptions } = options;
  register(method, name, {
    trigger: given ?? makeTrigger(triggerOptions),
    handler: handler as FunctionHandler,
    ...(ret ? { return: ret } : {}),
    ...(extraInputs ? { extraInputs } : {}),
    ...(extraOutputs ? { extraOutputs } : {}),
    ...(retry ? { retry } : {}),
  });
}

function httpWith(method: string, name: string, options: HttpFunctionOptions): void {
  generic(method, name, { ...options, return: options.return ?? output.http({}) }, (rest) => trigger.http(rest as HttpTriggerOptions));
}

function oneMethod(method: string, verb: string) {
  return (name: string, optionsOrHandler: HttpMethodFunctionOptions | HttpHandler): void => {
    const options: HttpFunctionOptions = typeof optionsOrHandler === 'function' ? { handler: optionsOrHandler } : { ...optionsOrHandler };
    httpWith(method, name, { ...options, methods: [verb] });
  };
}

/** Registered to be listed and refused (or left out with --skip-unsupported): Nimbus has no such trigger. */
function foreign(method: string, type: string) {
  return (name: string, options: ExtraBindings & { handler: unknown; trigger?: FunctionTrigger } & Record<string, unknown>): void =>
    generic(method, name, options, (rest) => ({ ...rest, type, name: `${type}1` }));
}

export const app = {
  setup: (options: { enableHttpStream?: boolean; capabilities?: Record<string, string | boolean> }): void => {
    // Accepted: Nimbus streams request and response bodies whatever this says.
    void options;
  },
  http: (name: string, options: HttpFunctionOptions): void => httpWith('http', name, options),
  get: oneMethod('get', 'GET'),
  put: oneMethod('put', 'PUT'),
  post: oneMethod('post', 'POST'),
  patch: oneMethod('patch', 'PATCH'),
  deleteRequest: oneMethod('deleteRequest', 'DELETE'),
  timer: (name: string, options: TimerFunctionOptions): void => generic('timer', name, options, (rest) => trigger.timer(rest as unknown as TimerTriggerOptions)),
  storageQueue: <T = unknown>(name: string, options: StorageQueueFunctionOptions<T>): void =>
    generic('storageQueue', name, options, (rest) => trigger.storageQueue(rest as unknown as StorageQueueOptions)),
  storageBlob: <T = unknown>(name: string, options: StorageBlobFunctionOptions<T>): void =>
    generic('storageBlob', name, options, (rest) => trigger.storageBlob(rest as unknown as StorageBlobTriggerOptions)),
  generic: (name: string, options: GenericFunctionOptions): void => register('generic', name, options),
  serviceBusQueue: foreign('serviceBusQueue', 'serviceBusTrigger'),
  serviceBusTopic: foreign('serviceBusTopic', 'serviceBusTrigger'),
  eventHub: foreign('eventHub', 'eventHubTrigger'),
  eventGrid: foreign('eventGrid', 'eventGridTrigger'),
  cosmosDB: foreign('cosmosDB', 'cosmosDBTrigger'),
  warmup: foreign('warmup', 'warmupTrigger'),
  sql: foreign('sql', 'sqlTrigger'),
  mySql: foreign('mySql', 'mysqlTrigger'),
  webPubSub: foreign('webPubSub', 'webPubSubTrigger'),
  mcpTool: foreign('mcpTool', 'mcpToolTrigger'),
  mcpResource: foreign('mcpResource', 'mcpResourceTrigger'),
  mcpPrompt: foreign('mcpPrompt', 'mcpPromptTrigger'),
  connectorTrigger: foreign('connectorTrigger', 'connectorTrigger'),
  hook,
};

