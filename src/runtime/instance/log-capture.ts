import { AsyncLocalStorage } from 'node:async_hooks';
import { format } from 'node:util';
import type { LogRecord } from './protocol.js';

/** Which invocation the running code belongs to, so overlapping invocations' lines stay apart. */
export const currentInvocation = new AsyncLocalStorage<string>();

const MAX_LINE_CHARS = 16 * 1024;

/**
 * Routes console.* and direct stdout/stderr writes into batched LOG frames,
 * each line tagged with its invocation id.
 */
export function captureLogs(flush: (lines: LogRecord[]) => void): void {
  let buffer: LogRecord[] = [];
  let scheduled = false;
  const push = (level: LogRecord['level'], stream: LogRecord['stream'], text: string): void => {
    const msg = text.length > MAX_LINE_CHARS ? `${text.slice(0, MAX_LINE_CHARS)}… (truncated)` : text;
    buffer.push({ inv: currentInvocation.getStore() ?? null, level, stream, t: Date.now(), msg });
    if (!scheduled) {
      scheduled = true;
      setImmediate(() => {
        scheduled = false;
        const lines = buffer;
        buffer = [];
        flush(lines);
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
