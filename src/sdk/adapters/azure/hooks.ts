/**
 * `app.hook.*` (types/hooks of @azure/functions v4): `appStart` runs once per
 * instance, before its first invocation; `preInvocation` hooks may replace
 * the inputs or the handler; `postInvocation` hooks see (and may replace)
 * the result or the error. `appTerminate` and `log` hooks have no moment to
 * run on Nimbus (instances stop without a callback; logs are captured from
 * the console), so the deploy lists them as unsupported.
 */
import type { InvocationContext } from './invocation-context.js';

export type HookHandler = (input: unknown, context: InvocationContext) => unknown;

export class HookContext {
  readonly hookData: Record<string, unknown>;

  constructor(init: { hookData?: Record<string, unknown> } = {}) {
    this.hookData = init.hookData ?? {};
  }
}

export class AppStartContext extends HookContext {}
export class AppTerminateContext extends HookContext {}

export class InvocationHookContext extends HookContext {
  readonly invocationContext: InvocationContext;
  inputs: unknown[];

  constructor(init: { hookData?: Record<string, unknown>; invocationContext: InvocationContext; inputs?: unknown[] }) {
    super(init);
    this.invocationContext = init.invocationContext;
    this.inputs = init.inputs ?? [];
  }
}

export class PreInvocationContext extends InvocationHookContext {
  functionHandler: HookHandler;

  constructor(init: ConstructorParameters<typeof InvocationHookContext>[0] & { functionCallback: HookHandler }) {
    super(init);
    this.functionHandler = init.functionCallback;
  }
}

export class PostInvocationContext extends InvocationHookContext {
  result: unknown;
  error: unknown;

  constructor(init: ConstructorParameters<typeof InvocationHookContext>[0] & { result?: unknown; error?: unknown }) {
    super(init);
    this.result = init.result;
    this.error = init.error;
  }
}

type Handler<C> = (context: C) => void | Promise<void>;

export interface Disposable {
  dispose(): void;
}

const appStartHooks: Handler<AppStartContext>[] = [];
const preHooks: Handler<PreInvocationContext>[] = [];
const postHooks: Handler<PostInvocationContext>[] = [];
let appStarted: Promise<void> | null = null;

function add<C>(list: Handler<C>[], handler: Handler<C>): Disposable {
  if (typeof handler !== 'function') throw new Error('a hook needs a handler function');
  list.push(handler);
  return { dispose: () => void list.splice(list.indexOf(handler) >>> 0, 1) };
}

/** Registered, never run: listed as unsupported at deploy. */
const inert = (): Disposable => ({ dispose: () => undefined });

export const hook = {
  appStart: (handler: Handler<AppStartContext>): Disposable => add(appStartHooks, handler),
  appTerminate: (_handler: Handler<AppTerminateContext>): Disposable => inert(),
  preInvocation: (handler: Handler<PreInvocationContext>): Disposable => add(preHooks, handler),
  postInvocation: (handler: Handler<PostInvocationContext>): Disposable => add(postHooks, handler),
  log: (_handler: (context: unknown) => void): Disposable => inert(),
};

/** The appStart hooks, once per instance; a failure fails this invocation and is tried again by the next. */
function startApp(): Promise<void> {
  appStarted ??= (async () => {
    const context = new AppStartContext();
    for (const handler of [...appStartHooks]) await handler(context);
  })().catch((err: unknown) => {
    appStarted = null;
    throw err;
  });
  return appStarted;
}

/** Calls the handler between the invocation hooks, as Azure's worker does. */
export async function invokeWithHooks(handler: HookHandler, input: unknown, context: InvocationContext): Promise<unknown> {
  if (appStartHooks.length > 0) await startApp();
  if (preHooks.length === 0 && postHooks.length === 0) return handler(input, context);
  const hookData: Record<string, unknown> = {};
  const pre = new PreInvocationContext({ hookData, invocationContext: context, inputs: [input], functionCallback: handler });
  for (const h of [...preHooks]) await h(pre);
  const post = new PostInvocationContext({ hookData, invocationContext: context, inputs: pre.inputs });
  try {
    post.result = await pre.functionHandler(pre.inputs[0], context);
  } catch (err) {
    post.error = err;
  }
  for (const h of [...postHooks]) await h(post);
  if (post.error !== undefined && post.error !== null) throw post.error;
  return post.result;
}

/** For tests: forget every hook and the app's start. */
export function clearHooks(): void {
  appStartHooks.length = 0;
  preHooks.length = 0;
  postHooks.length = 0;
  appStarted = null;
}
