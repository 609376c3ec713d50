/** What every handler receives besides its trigger's payload. */
export interface Logger {
  debug(...args: unknown[]): void;
  info(...args: unknown[]): void;
  warn(...args: unknown[]): void;
  error(...args: unknown[]): void;
}

export interface BaseContext {
  /** Unique id of this invocation; also tags every log line it writes. */
  invocationId: string;
  app: string;
  functionName: string;
  version: number;
  /** Fires when the invocation reaches its deadline (timeoutMs). */
  signal: AbortSignal;
  /** Epoch milliseconds at which the invocation will be stopped. */
  deadline: number;
  env: Readonly<Record<string, string>>;
  log: Logger;
}

export interface HttpContext extends BaseContext {
  /** Route parameters, e.g. `{ name: 'world' }` for `GET /hello/:name`. */
  params: Readonly<Record<string, string>>;
}
