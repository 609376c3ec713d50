/**
 * Nimbus's implementation of the @azure/functions v4 programming model:
 * Azure Functions code imports `@azure/functions` (installed or not) and gets
 * this module. `app.*` registers functions as Azure's library does; the
 * generated entry of an Azure app folder (src/cli/bundle/formats/azure)
 * turns them into Nimbus definitions with `nimbusFunctions()`.
 */
export { app, clearRegistrations, registered } from './app.js';
export type {
  Duration, FunctionHandler, FunctionResult, GenericFunctionOptions, HttpFunctionOptions, HttpHandler, HttpMethodFunctionOptions,
  Registration, RetryOptions, StorageBlobFunctionOptions, StorageBlobHandler, StorageQueueFunctionOptions, StorageQueueHandler,
  TimerFunctionOptions, TimerHandler,
} from './app.js';
export { input, output, trigger } from './bindings.js';
export type {
  FunctionInput, FunctionOutput, FunctionTrigger, HttpTriggerOptions, StorageBlobOptions, StorageBlobTriggerOptions, StorageQueueOptions,
  TimerTriggerOptions,
} from './bindings.js';
export { HttpRequest, HttpResponse } from './http.js';
export { AppStartContext, AppTerminateContext, HookContext, InvocationHookContext, PostInvocationContext, PreInvocationContext } from './hooks.js';
export type { Disposable } from './hooks.js';
export type {
  Cookie, HttpHeadersInit, HttpMethod, HttpRequestBodyInit, HttpRequestInit, HttpRequestParams, HttpRequestUser, HttpRequestUserType,
  HttpResponseBodyInit, HttpResponseInit,
} from './http.js';
export { InvocationContext } from './invocation-context.js';
export type { EffectiveFunctionOptions, InvocationContextInit, LogHandler, LogLevel, RetryContext, TraceContext, TriggerMetadata } from './invocation-context.js';
export type { Timer } from './timer-info.js';
export { nimbusFunctions, type AzureAppConfig } from './functions.js';
