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
  queues: FunctionQueues;
  blobs: FunctionBlobs;
  /**
   * Finish work after the answer: the response (or event result) goes out at
   * once, and the invocation (its instance slot, its metering, its platform
   * calls) lasts until every promise handed here settles, or until its
   * deadline (then it ends as a timeout). A rejection is logged; the answer
   * stands. Call it before the handler's answer is complete. If the handler
   * then throws, the caller gets the failure at once and the work still runs
   * inside the invocation, which ends as an error when the work settles.
   */
  waitUntil(promise: Promise<unknown>): void;
  budgets: FunctionBudgets;
}

/**
 * `ctx.budgets`: hold a downstream budget (see `nimbus budgets`) for a part
 * of the handler's work only, e.g. the database query and not the whole
 * request. The wait for a permit counts toward the invocation's deadline.
 */
export interface FunctionBudgets {
  /**
   * Waits for a permit of `budget`, runs `fn`, gives the permit back (also when
   * `fn` throws). Throws NIMBUS_ERR_BUDGET_NOT_FOUND for a name that is not a
   * budget. A budget the function already holds through `uses` runs `fn` at
   * once. At most 16 sections are open per invocation.
   */
  run<T>(budget: string, fn: () => T | Promise<T>): Promise<T>;
}

export interface HttpContext extends BaseContext {
  /** Route parameters, e.g. `{ name: 'world' }` for `GET /hello/:name`. */
  params: Readonly<Record<string, string>>;
}

export interface QueueSendOptions {
  /** Visible to consumers only after this long. */
  delayMs?: number;
  /** A second message with the same id inside the dedup window is dropped. */
  dedupId?: string;
  /** Higher first; default 0. */
  priority?: number;
}

export interface QueueSendResult {
  id: string;
  /** True when the dedup id matched an earlier message (whose id is returned). */
  duplicate: boolean;
}

/** `ctx.queues`: send to Nimbus queues from inside a function (fan-out). */
export interface FunctionQueues {
  send<T = unknown>(queue: string, body: T, options?: QueueSendOptions): Promise<QueueSendResult>;
  sendBatch<T = unknown>(queue: string, messages: ({ body: T } & QueueSendOptions)[]): Promise<QueueSendResult[]>;
}

export interface BlobInfo {
  bucket: string;
  key: string;
  size: number;
  /** Quoted hex MD5 of the content, e.g. `"9e107d9d372bb6826bd81d3542a419d6"` (as S3 for single-part uploads). */
  etag: string;
  contentType: string;
  /** User metadata; names lower-case. */
  metadata: Record<string, string>;
  /** Epoch ms of the write that made this version. */
  lastModified: number;
}

export interface BlobObject extends BlobInfo {
  /** Streamed: large objects never sit in the function's memory unless it reads them whole. */
  body: ReadableStream<Uint8Array>;
  text(): Promise<string>;
  arrayBuffer(): Promise<ArrayBuffer>;
  json<T = unknown>(): Promise<T>;
}

export interface BlobPutOptions {
  contentType?: string;
  metadata?: Record<string, string>;
}

export interface BlobListing {
  objects: Omit<BlobInfo, 'bucket' | 'metadata'>[];
  commonPrefixes: string[];
  nextCursor: string | null;
}

/** `ctx.blobs`: Nimbus blob storage from inside a function. */
export interface FunctionBlobs {
  get(bucket: string, key: string): Promise<BlobObject | null>;
  head(bucket: string, key: string): Promise<BlobInfo | null>;
  put(bucket: string, key: string, body: string | Uint8Array | ArrayBuffer | ReadableStream<Uint8Array>, options?: BlobPutOptions): Promise<{ etag: string; size: number }>;
  delete(bucket: string, key: string): Promise<boolean>;
  list(bucket: string, options?: { prefix?: string; delimiter?: string; cursor?: string; limit?: number }): Promise<BlobListing>;
}
