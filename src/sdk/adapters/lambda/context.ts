import type { BaseContext } from '../../context.js';
import { functionArn, type LambdaFunctionInfo } from './function-info.js';

/** `context` as the Node.js runtime documents it (docs.aws.amazon.com/lambda/latest/dg/nodejs-context.html). */
export interface LambdaContext {
  callbackWaitsForEmptyEventLoop: boolean;
  functionName: string;
  functionVersion: string;
  invokedFunctionArn: string;
  memoryLimitInMB: string;
  awsRequestId: string;
  logGroupName: string;
  logStreamName: string;
  getRemainingTimeInMillis(): number;
  done(error?: unknown, result?: unknown): void;
  fail(error: unknown): void;
  succeed(result: unknown): void;
}

export type LambdaCallback = (error?: unknown, result?: unknown) => void;

/** A Lambda handler in either form: async (a promise) or callback. */
export type LambdaHandler = (event: unknown, context: LambdaContext, callback: LambdaCallback) => unknown;

const FUNCTION_VERSION = '$LATEST';

/**
 * Runs one invocation of a Lambda handler and settles with its result.
 *
 * The answer is whichever comes first: the returned promise, `callback`,
 * or `context.done/succeed/fail`, as in the Node.js runtime. A handler that
 * returns a plain value without declaring the callback parameter answers
 * `null` at once (Lambda answers null when such a handler's event loop
 * empties; an instance here is never frozen, so there is no empty loop to
 * wait for). `callbackWaitsForEmptyEventLoop` is kept but changes nothing:
 * the answer goes as soon as the callback is called, and work left running
 * goes on in the instance, which is not frozen between invocations.
 */
export function invokeLambda(handler: LambdaHandler, event: unknown, ctx: BaseContext, info: LambdaFunctionInfo): Promise<unknown> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const settle = (error: unknown, result: unknown): void => {
      if (settled) return;
      settled = true;
      if (error !== null && error !== undefined) reject(asError(error));
      else resolve(result === undefined ? null : result);
    };
    const context = makeLambdaContext(ctx, info, settle);
    let returned: unknown;
    try {
      returned = handler(event, context, (error, result) => settle(error, result));
    } catch (err) {
      settle(err ?? new Error('the handler threw'), undefined);
      return;
    }
    if (isPromiseLike(returned)) returned.then((result) => settle(null, result), (err: unknown) => settle(err ?? new Error('the handler rejected'), undefined));
    else if (handler.length < 3) settle(null, null);
  });
}

export function makeLambdaContext(ctx: BaseContext, info: LambdaFunctionInfo, settle: (error: unknown, result: unknown) => void): LambdaContext {
  const fixed = fixedNamesOf(info);
  // Plain data properties, made once per function or per day: this object is built on every invocation.
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: info.functionName,
    functionVersion: FUNCTION_VERSION,
    invokedFunctionArn: fixed.arn,
    memoryLimitInMB: fixed.memoryLimitInMB,
    awsRequestId: ctx.invocationId,
    logGroupName: fixed.logGroupName,
    // Lambda's stream is per execution environment: `date/[version]id`; a Nimbus app version plays that part.
    logStreamName: `${todayPath()}/[${FUNCTION_VERSION}]${ctx.app}-v${ctx.version}`,
    getRemainingTimeInMillis: () => Math.max(0, ctx.deadline - Date.now()),
    done: (error, result) => settle(error, result),
    fail: (error) => settle(error ?? new Error('context.fail() was called'), undefined),
    succeed: (result) => settle(null, result),
  };
}

interface FixedNames {
  arn: string;
  logGroupName: string;
  memoryLimitInMB: string;
}

const fixedNames = new WeakMap<LambdaFunctionInfo, FixedNames>();

function fixedNamesOf(info: LambdaFunctionInfo): FixedNames {
  let names = fixedNames.get(info);
  if (!names) {
    names = { arn: functionArn(info), logGroupName: `/aws/lambda/${info.functionName}`, memoryLimitInMB: String(info.memoryLimitInMB) };
    fixedNames.set(info, names);
  }
  return names;
}

let today = { until: 0, path: '' };

/** `2024/05/17`, recomputed once a day. */
function todayPath(): string {
  const now = Date.now();
  if (now >= today.until) {
    const path = new Date(now).toISOString().slice(0, 10).replaceAll('-', '/');
    today = { until: (Math.floor(now / 86_400_000) + 1) * 86_400_000, path };
  }
  return today.path;
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}

/** Lambda reports a string error as the errorMessage; an Error keeps its stack. */
function asError(error: unknown): Error {
  if (error instanceof Error) return error;
  if (typeof error === 'string') return new Error(error);
  try {
    return new Error(JSON.stringify(error));
  } catch {
    return new Error(String(error));
  }
}
