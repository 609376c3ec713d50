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
  invocationId?: string;
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
}
