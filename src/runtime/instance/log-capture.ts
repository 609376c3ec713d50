import { AsyncLocalStorage } from 'node:async_hooks';
import { format } from 'node:util';
import { LOG_LINE_CUT_MARK, MAX_LOG_LINE_CHARS, type LogRecord } from './protocol.js';

/** Which invocation the running code belongs to, so overlapping invocations' lines stay apart. */
export const currentInvocation = new AsyncLocalStorage<string>();

/**
 * Routes console.* and direct stdout/stderr writes into LOG frames, each line
 * tagged with its invocation id. Each line leaves as it is written, as
 * console.log's own writes to a pipe do: a function that logs and then spins
 * until its timeout (or exits, or runs out of memory) is killed with every
 * line it wrote already on its way to the host, not waiting for a turn of
 * the event loop that never comes.
 */
export function captureLogs(send: (lines: LogRecord[]) => void): void {
  /** The lines of one console call or one write, tagged alike, leave together. */
  const push = (level: LogRecord['level'], stream: LogRecord['stream'], texts: string[]): void => {
    const inv = currentInvocation.getStore() ?? null;
    const t = Date.now();
    send(texts.map((text) => ({
      inv, level, stream, t,
      msg: text.length > MAX_LOG_LINE_CHARS ? `${text.slice(0, MAX_LOG_LINE_CHARS)}${LOG_LINE_CUT_MARK}` : text,
    })));
  };

  const levels = { debug: 'stdout', log: 'stdout', info: 'stdout', warn: 'stderr', error: 'stderr' } as const;
  for (const [method, stream] of Object.entries(levels) as [keyof typeof levels, 'stdout' | 'stderr'][]) {
    const level: LogRecord['level'] = method === 'log' ? 'info' : method;
    console[method] = (...args: unknown[]) => push(level, stream, [format(...args)]);
  }
  for (const stream of ['stdout', 'stderr'] as const) {
    const target = process[stream];
    target.write = ((chunk: string | Uint8Array, encodingOrCb?: unknown, cb?: unknown): boolean => {
      const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
      push(stream === 'stderr' ? 'error' : 'info', stream, text.replace(/\n$/, '').split('\n'));
      const callback = typeof encodingOrCb === 'function' ? encodingOrCb : cb;
      if (typeof callback === 'function') queueMicrotask(() => (callback as () => void)());
      return true;
    }) as typeof target.write;
  }
}
