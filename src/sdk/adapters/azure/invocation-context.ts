/** `InvocationContext` as @azure/functions v4 defines it (types/InvocationContext.d.ts). */
import type { FunctionInput, FunctionOutput, FunctionTrigger } from './bindings.js';

export type LogLevel = 'trace' | 'debug' | 'information' | 'warning' | 'error' | 'critical' | 'none';
export type LogHandler = (level: LogLevel, ...args: unknown[]) => void;
export type TriggerMetadata = Record<string, unknown>;

export interface RetryContext {
  retryCount: number;
  maxRetryCount: number;
  exception?: { source?: string; stackTrace?: string; message?: string };
}

export interface TraceContext {
  traceParent?: string | undefined;
  traceState?: string | undefined;
  attributes?: Record<string, string>;
}

export interface EffectiveFunctionOptions {
  trigger: FunctionTrigger;
  return?: FunctionOutput;
  extraInputs: FunctionInput[];
  extraOutputs: FunctionOutput[];
}

export interface InvocationContextInit {
  invocationId?: string;
  functionName?: string;
  logHandler?: LogHandler;
  traceContext?: TraceContext;
  retryContext?: RetryContext;
  triggerMetadata?: TriggerMetadata;
  options?: Partial<EffectiveFunctionOptions>;
}

/** Azure's levels onto the console methods Nimbus captures (each line tagged with the invocation). */
const consoleLog: LogHandler = (level, ...args) => {
  switch (level) {
    case 'trace': case 'debug': return console.debug(...args);
    case 'warning': return console.warn(...args);
    case 'error': case 'critical': return console.error(...args);
    case 'none': return undefined;
    default: return console.info(...args);
  }
};

export class InvocationContext {
  invocationId: string;
  functionName: string;
  extraInputs: InvocationContextExtraInputs;
  extraOutputs: InvocationContextExtraOutputs;
  retryContext?: RetryContext;
  traceContext?: TraceContext;
  triggerMetadata?: TriggerMetadata;
  options: EffectiveFunctionOptions;
  #log: LogHandler;

  constructor(init: InvocationContextInit = {}) {
    this.invocationId = init.invocationId || 'unknown';
    this.functionName = init.functionName || 'unknown';
    this.extraInputs = new InvocationContextExtraInputs();
    this.extraOutputs = new InvocationContextExtraOutputs();
    if (init.retryContext) this.retryContext = init.retryContext;
    if (init.traceContext) this.traceContext = init.traceContext;
    if (init.triggerMetadata) this.triggerMetadata = init.triggerMetadata;
    this.options = {
      trigger: init.options?.trigger ?? { name: 'unknown', type: 'unknown' },
      ...(init.options?.return ? { return: init.options.return } : {}),
      extraInputs: init.options?.extraInputs ?? [],
      extraOutputs: init.options?.extraOutputs ?? [],
    };
    this.#log = init.logHandler ?? consoleLog;
  }

  log(...args: unknown[]): void {
    this.#log('information', ...args);
  }

  trace(...args: unknown[]): void {
    this.#log('trace', ...args);
  }

  debug(...args: unknown[]): void {
    this.#log('debug', ...args);
  }

  info(...args: unknown[]): void {
    this.#log('information', ...args);
  }

  warn(...args: unknown[]): void {
    this.#log('warning', ...args);
  }

  error(...args: unknown[]): void {
    this.#log('error', ...args);
  }
}

export class InvocationContextExtraInputs {
  #inputs = new Map<string, unknown>();

  get(inputOrName: FunctionInput | string): unknown {
    return this.#inputs.get(typeof inputOrName === 'string' ? inputOrName : inputOrName.name);
  }

  set(inputOrName: FunctionInput | string, value: unknown): void {
    this.#inputs.set(typeof inputOrName === 'string' ? inputOrName : inputOrName.name, value);
  }
}

export class InvocationContextExtraOutputs {
  #outputs = new Map<string, unknown>();

  get(outputOrName: FunctionOutput | string): unknown {
    return this.#outputs.get(typeof outputOrName === 'string' ? outputOrName : outputOrName.name);
  }

  set(outputOrName: FunctionOutput | string, value: unknown): void {
    this.#outputs.set(typeof outputOrName === 'string' ? outputOrName : outputOrName.name, value);
  }
}
