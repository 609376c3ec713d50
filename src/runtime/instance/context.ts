import type { HttpContext, Logger } from '../../sdk/context.js';
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

export function makeContext(identity: InstanceIdentity, message: InvokeMessage, signal: AbortSignal): HttpContext {
  return {
    invocationId: message.id,
    app: identity.app,
    functionName: identity.functionName,
    version: identity.version,
    signal,
    deadline: message.deadline,
    env: identity.env,
    log: logger,
    params: message.params ?? {},
  };
}
