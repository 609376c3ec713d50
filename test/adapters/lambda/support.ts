import type { BaseContext, HttpContext } from '../../../src/sdk/context.js';
import type { LambdaFunctionInfo } from '../../../src/sdk/adapters/lambda/index.js';

/** The Lambda function the conformance cases run as. */
export const INFO: LambdaFunctionInfo = {
  functionName: 'my-function', memoryLimitInMB: 512, timeoutSeconds: 10, region: 'us-east-1', accountId: '123456789012', stage: '$default',
};

/**
 * A function context as the instance makes one (src/runtime/instance/context.ts),
 * for the parts a Lambda handler reaches: ids, deadline, params. Queues and blobs
 * are never called by a Lambda handler; reaching them fails the test.
 */
export function contextFor(invocationId: string, params: Record<string, string> = {}, deadlineInMs = 10_000): HttpContext {
  const unreachable = (): never => {
    throw new Error('a Lambda handler reached ctx.queues/ctx.blobs');
  };
  const ctx: BaseContext = {
    invocationId, app: 'my-app', functionName: 'fn', version: 1, signal: new AbortController().signal,
    deadline: Date.now() + deadlineInMs, env: {}, log: console, waitUntil: () => {}, budgets: { run: async (_budget, fn) => fn() },
    queues: { send: unreachable, sendBatch: unreachable },
    blobs: { get: unreachable, head: unreachable, put: unreachable, delete: unreachable, list: unreachable },
  };
  return { ...ctx, params };
}

/** Every leaf replaced by its type: two values of the same shape compare equal. */
export function shapeOf(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(shapeOf);
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [k, shapeOf(v)]));
  return value === null ? 'null' : typeof value;
}

/** Runs a handler that records the event it was given. */
export function recordingHandler(result: unknown = { statusCode: 200 }): { handler: (event: unknown) => Promise<unknown>; events: unknown[] } {
  const events: unknown[] = [];
  return { events, handler: async (event: unknown) => { events.push(event); return result; } };
}

export async function answerOf(response: Response): Promise<{ status: number; headers: Record<string, string>; setCookies: string[]; body: Buffer }> {
  const headers: Record<string, string> = {};
  for (const [name, value] of response.headers) if (name !== 'set-cookie') headers[name] = value;
  return { status: response.status, headers, setCookies: response.headers.getSetCookie(), body: Buffer.from(await response.arrayBuffer()) };
}
