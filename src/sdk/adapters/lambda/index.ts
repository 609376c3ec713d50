/**
 * Runs AWS Lambda handlers unchanged on Nimbus triggers. The entry that
 * `nimbus deploy` generates for a serverless.yml or SAM template imports the
 * user's modules and wraps each handler with one of these: the Nimbus
 * trigger's payload becomes the event AWS would have sent, the handler's
 * answer becomes what the AWS service would have made of it.
 */
import type { BlobHandler, HttpHandler, QueueHandler, TimerHandler } from '../../definition.js';
import { invokeLambda, type LambdaHandler } from './context.js';
import type { LambdaFunctionInfo } from './function-info.js';
import { httpApiEvent, httpApiResponse } from './http-api-event.js';
import { readRequest, type RequestParts } from './http-request.js';
import type { LambdaHttpRoute } from './http-route.js';
import { restApiEvent, restApiResponse } from './rest-api-event.js';
import { s3Event } from './s3-event.js';
import { scheduledEvent } from './schedule-event.js';
import { sqsEvent, sqsResult } from './sqs-event.js';

export type { LambdaContext, LambdaCallback, LambdaHandler } from './context.js';
export { invokeLambda } from './context.js';
export { LOCAL_ACCOUNT_ID, type LambdaFunctionInfo } from './function-info.js';
export type { LambdaHttpRoute } from './http-route.js';
export { httpApiEvent, httpApiResponse, type HttpApiEventV2 } from './http-api-event.js';
export { restApiEvent, restApiResponse, type RestApiEventV1 } from './rest-api-event.js';
export { readRequest, type RequestParts } from './http-request.js';
export { sqsEvent, sqsResult, type SqsEvent, type SqsRecord } from './sqs-event.js';
export { s3Event, encodeS3Key, type S3Event, type S3Record } from './s3-event.js';
export { scheduledEvent, type ScheduledEvent } from './schedule-event.js';

/**
 * The exported function `name` of a handler module, as Lambda finds it
 * (`src/handler.hello` → export `hello` of src/handler.*). A CommonJS module's
 * `module.exports` arrives as its namespace's default. Checked when the
 * bundle loads, so a deploy naming a missing handler fails at once.
 */
export function handlerOf(mod: Record<string, unknown>, name: string, handlerPath: string): LambdaHandler {
  const named = mod[name];
  const fromDefault = typeof mod['default'] === 'object' || typeof mod['default'] === 'function' ? (mod['default'] as Record<string, unknown> | null)?.[name] : undefined;
  const found = typeof named === 'function' ? named : fromDefault;
  if (typeof found !== 'function') throw new Error(`handler "${handlerPath}": the module exports no function named "${name}"`);
  return found as LambdaHandler;
}

/** API Gateway HTTP API (payload format 2.0): `httpApi` events, SAM `HttpApi`. */
export function httpApi(handler: LambdaHandler, info: LambdaFunctionInfo, route: LambdaHttpRoute): HttpHandler {
  return proxyHandler(handler, info, route, httpApiEvent, httpApiResponse);
}

/** API Gateway REST API Lambda proxy (payload format 1.0): `http` events, SAM `Api`. */
export function restApi(handler: LambdaHandler, info: LambdaFunctionInfo, route: LambdaHttpRoute): HttpHandler {
  return proxyHandler(handler, info, route, restApiEvent, restApiResponse);
}

/** An API Gateway proxy integration: the request as the format's event, the handler's result as the format's answer. */
function proxyHandler(
  handler: LambdaHandler, info: LambdaFunctionInfo, route: LambdaHttpRoute,
  eventOf: (parts: RequestParts, params: Readonly<Record<string, string>>, route: LambdaHttpRoute, info: LambdaFunctionInfo, requestId: string) => unknown,
  responseOf: (result: unknown) => Response,
): HttpHandler {
  // No async function here: each extra promise on this path costs more than the event itself.
  return (req, ctx) => {
    const run = (parts: RequestParts): Promise<Response> =>
      invokeLambda(handler, eventOf(parts, ctx.params, route, info, ctx.invocationId), ctx, info).then(responseOf);
    const parts = readRequest(req);
    return parts instanceof Promise ? parts.then(run) : run(parts);
  };
}

/** SQS: one batch, one invocation; `batchItemFailures` retries only those messages when the event source reports them. */
export function sqs(handler: LambdaHandler, info: LambdaFunctionInfo, options: { reportBatchItemFailures: boolean }): QueueHandler {
  return async (batch, ctx) => sqsResult(await invokeLambda(handler, sqsEvent(batch, info, Date.now()), ctx, info), batch, options.reportBatchItemFailures);
}

/** S3 event notifications, one record per Nimbus blob event. */
export function s3(handler: LambdaHandler, info: LambdaFunctionInfo, options: { configurationId: string }): BlobHandler {
  return async (event, ctx) => {
    await invokeLambda(handler, s3Event(event, info, options.configurationId, ctx.invocationId, new Date()), ctx, info);
  };
}

/** EventBridge schedules: the documented scheduled event, or the rule's constant `input` when it has one. */
export function schedule(handler: LambdaHandler, info: LambdaFunctionInfo, options: { ruleName: string; input?: unknown }): TimerHandler {
  return async (tick, ctx) => {
    const event = options.input !== undefined ? structuredClone(options.input) : scheduledEvent(tick, info, options.ruleName);
    await invokeLambda(handler, event, ctx, info);
  };
}

/**
 * A function with no events is invoked directly in AWS (`aws lambda invoke`):
 * here, a POST of the event as JSON to `/fn/<app>/<function>`, answered with
 * the handler's result as JSON.
 */
export function direct(handler: LambdaHandler, info: LambdaFunctionInfo): HttpHandler {
  return async (req, ctx) => {
    const text = req.body === null ? '' : await req.text();
    let event: unknown = {};
    if (text.trim() !== '') {
      try {
        event = JSON.parse(text);
      } catch {
        return Response.json({ error: { code: 'INVALID_EVENT', message: 'the request body must be the event as JSON' } }, { status: 400 });
      }
    }
    return Response.json(await invokeLambda(handler, event, ctx, info));
  };
}
