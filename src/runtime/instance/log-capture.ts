import { AsyncLocalStorage } from 'node:async_hooks';
import { format } from 'node:util';
import { LOG_LINE_CUT_MARK, MAX_LOG_LINE_CHARS, type LogRecord } from './protocol.js';

/** Which invocation the running code belongs to, so overlapping invocations' lines stay apart. */
export const currentInvocation = new AsyncLocalStorage<string>();

/** A LOG frame carries about this much at most (characters × 3 covers any UTF-8), well under the frame cap. */
const MAX_BATCH_BYTES = 1024 * 1024;
const LINE_OVERHEAD_BYTES = 128;

/**
 * Routes console.* and direct stdout/stderr writes into batched LOG frames,
 * each line tagged with its invocation id.
 */
export function captureLogs(flush: (lines: LogRecord[]) => void): void {
  let buffer: LogRecord[] = [];
  let scheduled = false;
  const push = (level: LogRecord['level'], stream: LogRecord['stream'], text: string): void => {
    const msg = text.length > MAX_LOG_LINE_CHARS ? `${text.slice(0, MAX_LOG_LINE_CHARS)}${LOG_LINE_CUT_MARK}` : text;
    buffer.push({ inv: currentInvocation.getStore() ?? null, level, stream, t: Date.now(), msg });
    if (!scheduled) {
      scheduled = true;
      setImmediate(() => {
        scheduled = false;
        const lines = buffer;
        buffer = [];
        flushInBatches(lines, flush);
      });
    }
  };

  const levels = { debug: 'stdout', log: 'stdout', info: 'stdout', warn: 'stderr', error: 'stderr' } as const;
  for (const [method, stream] of Object.entries(levels) as [keyof typeof levels, 'stdout' | 'stderr'][]) {
    const level: LogRecord['level'] = method === 'log' ? 'info' : method;
    console[method] = (...args: unknown[]) => push(level, stream, format(...args));
  }
  for (const stream of ['stdout', 'stderr'] as const) {
    const target = process[stream];
    target.write = ((chunk: string | Uint8Array, encodingOrCb?: unknown, cb?: unknown): boolean => {
      const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
      for (const line of text.replace(/\n$/, '').split('\n')) push(stream === 'stderr' ? 'error' : 'info', stream, line);
      const callback = typeof encodingOrCb === 'function' ? encodingOrCb : cb;
      if (typeof callback === 'function') queueMicrotask(() => (callback as () => void)());
      return true;
    }) as typeof target.write;
  }
}

/** A burst of lines goes out as several LOG frames, each within the size the host accepts. */
function flushInBatches(lines: LogRecord[], flush: (lines: LogRecord[]) => void): void {
  let start = 0;
  let bytes = 0;
  for (let i = 0; i < lines.length; i++) {
    const size = lines[i]!.msg.length * 3 + LINE_OVERHEAD_BYTES;
    if (bytes + size > MAX_BATCH_BYTES && i > start) {
      flush(lines.slice(start, i));
      start = i;
      bytes = 0;
    }
    bytes += size;
  }
  flush(start === 0 ? lines : lines.slice(start));
}
