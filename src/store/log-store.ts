import type { FunctionLogLine } from '../runtime/lifecycle.js';

/** A function's log line once stored; `seq` orders lines and resumes a tail. */
export interface StoredLogLine extends FunctionLogLine {
  seq: number;
}

export interface LogQuery {
  app: string;
  functionName?: string;
  /** Epoch ms: only lines written at or after this time. */
  since?: number;
  /** Only lines of the invocation with this whole id (an index serves it). */
  invocationId?: string;
  /**
   * Only lines of invocations whose id ends with this: the short id a printed log line shows. Several invocations
   * may match, and all their lines are returned. No index serves it (an index on the random end of ids would cost
   * every append a random page, see docs/logs.md): the app's (or function's) lines since `since` are read newest
   * first until `limit` match, at most the lines the app keeps.
   */
  invocationIdEndsWith?: string;
  /** Only lines stored after this sequence number (resuming a tail). */
  afterSeq?: number;
  /** The newest `limit` matching lines are returned, oldest first. */
  limit: number;
}

export interface LogLimits {
  /** Lines kept per function; the oldest are dropped past it. */
  maxLinesPerFunction: number;
  /** Message bytes kept per function; the oldest lines are dropped past it. */
  maxBytesPerFunction: number;
  /** A longer message is cut to this many bytes and marked. */
  maxMessageBytes: number;
}

export const DEFAULT_LOG_LIMITS: LogLimits = {
  maxLinesPerFunction: 10_000,
  maxBytesPerFunction: 5 * 1024 * 1024,
  maxMessageBytes: 16 * 1024,
};

/** Most lines one query returns. */
export const MAX_LOG_QUERY_LIMIT = 10_000;

export interface LogStore {
  /**
   * Stores lines in one transaction, trims each function back under its
   * limits, and returns the lines as stored (with `seq`, messages possibly cut).
   */
  append(lines: readonly FunctionLogLine[]): Promise<StoredLogLine[]>;
  query(query: LogQuery): Promise<StoredLogLine[]>;
  /** Lines and bytes currently kept for one function. */
  functionTotals(app: string, functionName: string): Promise<{ lines: number; bytes: number }>;
  /**
   * For a store several nodes append to: calls `listener` with the app after
   * lines of it were committed by any node (this one included), so live tails
   * read them from the store in `seq` order; with null when notices may have
   * been missed (any app may have lines). Absent: only this node appends.
   */
  onAppended?(listener: (app: string | null) => void): () => void;
}

/** A stored line as both stores keep it. */
export interface LogLineRow {
  seq: number;
  app: string;
  function_name: string;
  version: number;
  invocation_id: string | null;
  instance_id: string;
  stream: FunctionLogLine['stream'];
  level: FunctionLogLine['level'];
  time: number;
  message: string;
}

export function logLineFromRow(row: LogLineRow): StoredLogLine {
  return {
    seq: row.seq,
    app: row.app,
    functionName: row.function_name,
    version: row.version,
    invocationId: row.invocation_id,
    instanceId: row.instance_id,
    stream: row.stream,
    level: row.level,
    time: row.time,
    message: row.message,
  };
}
