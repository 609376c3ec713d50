import type { FunctionLogLine } from '../runtime/lifecycle.js';
import type { LogLimits } from '../store/log-store.js';

/**
 * Once a function is over a limit it is trimmed to this share of it, so a
 * steadily logging function is trimmed now and then, not on every write.
 */
const TRIM_TO_SHARE = 0.9;
const CUT_MARKER = ' …[cut]';

/** A line as a store keeps it: its message cut to the limit, and that message's size. */
export interface LogLineToStore {
  line: FunctionLogLine;
  message: string;
  bytes: number;
}

/** What a batch of lines adds to one function's totals. */
export interface FunctionLogTotals {
  app: string;
  functionName: string;
  lines: number;
  bytes: number;
}

/** The lines of one append, cut to size, and what they add per function. */
export function linesToStore(lines: readonly FunctionLogLine[], limits: LogLimits): { lines: LogLineToStore[]; added: FunctionLogTotals[] } {
  const out: LogLineToStore[] = [];
  const added = new Map<string, FunctionLogTotals>();
  for (const line of lines) {
    const message = cutMessage(line.message, limits.maxMessageBytes);
    const bytes = Buffer.byteLength(message);
    out.push({ line, message, bytes });
    const key = `${line.app}\u0000${line.functionName}`;
    const sum = added.get(key) ?? { app: line.app, functionName: line.functionName, lines: 0, bytes: 0 };
    sum.lines += 1;
    sum.bytes += bytes;
    added.set(key, sum);
  }
  return { lines: out, added: [...added.values()] };
}

export function overLimits(totals: { lines: number; bytes: number }, limits: LogLimits): boolean {
  return totals.lines > limits.maxLinesPerFunction || totals.bytes > limits.maxBytesPerFunction;
}

/** What a function over a limit is trimmed back to: the newest lines within both (with headroom). */
export function trimTarget(limits: LogLimits): { keepLines: number; keepBytes: number } {
  return {
    keepLines: Math.max(1, Math.floor(limits.maxLinesPerFunction * TRIM_TO_SHARE)),
    keepBytes: Math.floor(limits.maxBytesPerFunction * TRIM_TO_SHARE),
  };
}

export function cutMessage(message: string, maxBytes: number): string {
  if (Buffer.byteLength(message) <= maxBytes) return message;
  const room = Math.max(0, maxBytes - Buffer.byteLength(CUT_MARKER));
  // Slicing bytes may split a character; toString replaces the broken tail, which is fine for a marked cut.
  return Buffer.from(message).subarray(0, room).toString('utf8').replace(/\uFFFD+$/, '') + CUT_MARKER;
}
