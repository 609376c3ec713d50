import { clockTime } from './format-log-line.js';

/** pino's numeric levels. */
const LEVELS: Record<number, string> = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' };
const WARN_LEVEL = 40;
/** Fields every platform line carries; the rest are the event's own. */
const ENVELOPE = new Set(['level', 'time', 'msg', 'service', 'pid', 'hostname']);
/** A field value longer than this is cut: a readable line stays one line. */
const MAX_VALUE_CHARS = 200;

export interface PlatformLine {
  text: string;
  /** warn and above go to standard error. */
  stream: 'stdout' | 'stderr';
}

/**
 * One line of the node's own log (pino JSON) as a person reads it:
 * `HH:MM:SS nimbus: version live app=hello version=2 previous=1`, with
 * `warning:` or `error:` before the message at those levels and an error's
 * message instead of its serialized object. A line that is not pino JSON is
 * passed through as it is.
 */
export function formatPlatformLine(json: string): PlatformLine {
  let record: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(json);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not a record');
    record = parsed as Record<string, unknown>;
  } catch {
    return { text: json.replace(/\n+$/, ''), stream: 'stdout' };
  }
  const level = typeof record['level'] === 'number' ? record['level'] : 30;
  const time = typeof record['time'] === 'string' || typeof record['time'] === 'number' ? new Date(record['time']).getTime() : Date.now();
  const label = level >= WARN_LEVEL ? `${LEVELS[level] === 'warn' ? 'warning' : (LEVELS[level] ?? 'error')}: ` : '';
  const fields = Object.entries(record)
    .filter(([name]) => !ENVELOPE.has(name))
    .map(([name, value]) => `${name}=${formatValue(value)}`);
  const message = typeof record['msg'] === 'string' ? record['msg'] : '';
  const text = [`${clockTime(Number.isFinite(time) ? time : Date.now())} nimbus: ${label}${message}`, ...fields].join(' ');
  return { text, stream: level >= WARN_LEVEL ? 'stderr' : 'stdout' };
}

function formatValue(value: unknown): string {
  let text: string;
  if (typeof value === 'string') text = /[\s"=]/.test(value) || value === '' ? JSON.stringify(value) : value;
  else if (isErrorRecord(value)) text = JSON.stringify(value.message);
  else text = JSON.stringify(value) ?? String(value);
  return text.length > MAX_VALUE_CHARS ? `${text.slice(0, MAX_VALUE_CHARS)}…` : text;
}

/** pino's error serializer: `{type, message, stack}`. */
function isErrorRecord(value: unknown): value is { message: string } {
  return typeof value === 'object' && value !== null && typeof (value as { message?: unknown }).message === 'string' && 'stack' in value;
}
