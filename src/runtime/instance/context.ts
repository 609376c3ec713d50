import type { FunctionBlobs, FunctionBudgets, FunctionQueues, HttpContext, Logger } from '../../sdk/context.js';
import type { LazyAbort } from './lazy-abort.js';
import type { InvokeMessage } from './protocol.js';

export interface InstanceIdentity {
  app: string;
  version: number;
  functionName: string;
  env: Readonly<Record<string, string>>;
}

const logger: Logger = {
  debug: (...args) => console.debug(...args),
  info: (...args) => console.info(...args),
  warn: (...args) => console.warn(...args),
  error: (...args) => console.error(...args),
};

export interface PlatformClients {
  queues: FunctionQueues;
  blobs: FunctionBlobs;
  budgets: FunctionBudgets;
}

export function makeContext(
  identity: InstanceIdentity, message: InvokeMessage, abort: LazyAbort, clients: PlatformClients, waitUntil: (promise: Promise<unknown>) => void,
): HttpContext {
  return {
    invocationId: message.id,
    app: identity.app,
    functionName: identity.functionName,
    version: identity.version,
    get signal() {
      return abort.signal;
    },
    deadline: message.deadline,
    env: identity.env,
    log: logger,
    params: message.params ?? {},
    queues: clients.queues,
    blobs: clients.blobs,
    waitUntil,
    budgets: clients.budgets,
  };
}
