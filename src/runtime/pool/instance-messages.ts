/**
 * Checks of every control message an instance sends. The instance runs the
 * function's code, which can write anything to its end of the channel: each
 * message is checked for shape, types and sizes before the host acts on it,
 * and anything else is a ProtocolViolation that fails that instance alone.
 * Hand-written rather than schema-driven: RESPONSE_FULL heads and LOG lines
 * are on every invocation's path.
 */
import {
  LOG_LEVELS, LOG_LINE_CUT_MARK, LOG_LINE_HEAD_BYTES, LOG_STREAMS, MAX_ERROR_TEXT_CHARS, MAX_LOG_LINE_CHARS, ProtocolViolation,
  type CallMessage, type DescribedFunction, type ErrorMessage, type FullResponseHead, type LogRecord, type ResponseEndMessage, type ResponseMessage,
} from '../instance/protocol.js';

/** Functions one bundle may export; far beyond any real app. */
const MAX_FUNCTIONS = 1_000;
const MAX_NAME_CHARS = 256;
const MAX_HEADERS = 1_000;
const MAX_HEADER_CHARS = 64 * 1024;
const MAX_STATUS_TEXT_CHARS = 1_024;
const MAX_LINE_CHARS = MAX_LOG_LINE_CHARS + LOG_LINE_CUT_MARK.length;
/** A line of MAX_LINE_CHARS characters takes at most three UTF-8 bytes each (a surrogate pair, two characters, takes four). */
const MAX_LINE_BYTES = MAX_LINE_CHARS * 3;

function violation(what: string): never {
  throw new ProtocolViolation(what);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function cut(text: string): string {
  return text.length > MAX_ERROR_TEXT_CHARS ? `${text.slice(0, MAX_ERROR_TEXT_CHARS)}… (cut)` : text;
}

function shortString(value: unknown, max: number, what: string): string {
  if (typeof value !== 'string' || value.length > max) violation(`${what} is not a string of at most ${max} characters`);
  return value;
}

function finiteNonNegative(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) violation(`${what} is not a finite number ≥ 0`);
  return value;
}

export function readLoaded(message: unknown): DescribedFunction[] {
  if (!isObject(message) || !Array.isArray(message['functions']) || message['functions'].length > MAX_FUNCTIONS) {
    violation(`LOADED does not list at most ${MAX_FUNCTIONS} functions`);
  }
  return message['functions'].map((f: unknown): DescribedFunction => {
    if (!isObject(f)) violation('LOADED lists a function that is not an object');
    return { name: shortString(f['name'], MAX_NAME_CHARS, 'a function name'), kind: shortString(f['kind'], 32, 'a function kind'), settings: f['settings'] };
  });
}

/** A thrown error's text (LOAD_FAILED, ERROR); overlong texts are cut, not refused. */
export function readError(message: unknown): ErrorMessage {
  if (!isObject(message) || typeof message['message'] !== 'string') violation('an error message has no text');
  const stack = message['stack'];
  if (stack !== undefined && typeof stack !== 'string') violation('an error stack is not a string');
  const lingers = message['lingers'];
  if (lingers !== undefined && lingers !== true) violation('an error\'s lingers flag is not true');
  const read: ErrorMessage = stack === undefined ? { message: cut(message['message']) } : { message: cut(message['message']), stack: cut(stack) };
  if (lingers === true) read.lingers = true;
  return read;
}

/** A response head: the status a Response can have, and header pairs of strings. Checked in place: no copy on the hot path. */
export function readResponseHead(message: unknown): ResponseMessage {
  if (!isObject(message)) violation('a response head is not an object');
  const status = message['status'];
  if (typeof status !== 'number' || !Number.isInteger(status) || status < 200 || status > 599) violation('a response status is not a whole number from 200 to 599');
  const headers = message['headers'];
  if (!Array.isArray(headers) || headers.length > MAX_HEADERS) violation(`response headers are not a list of at most ${MAX_HEADERS}`);
  for (const pair of headers as unknown[]) {
    if (!Array.isArray(pair) || pair.length !== 2 || typeof pair[0] !== 'string' || typeof pair[1] !== 'string'
      || pair[0].length + pair[1].length > MAX_HEADER_CHARS) {
      violation('a response header is not a [name, value] pair of strings');
    }
  }
  if (message['statusText'] !== undefined) shortString(message['statusText'], MAX_STATUS_TEXT_CHARS, 'a status text');
  return message as unknown as ResponseMessage;
}

/**
 * The end of an answer: the CPU time and load wait the instance measured.
 * The host clamps both by the time it saw pass, which it knows and the instance could lie about.
 */
export function readResponseEnd(message: unknown): ResponseEndMessage {
  if (!isObject(message)) violation('a response end is not an object');
  finiteNonNegative(message['cpuMicros'], 'cpuMicros');
  if (message['waitedMs'] !== undefined) finiteNonNegative(message['waitedMs'], 'waitedMs');
  if (message['lingers'] !== undefined && message['lingers'] !== true) violation('lingers is not true');
  return message as unknown as ResponseEndMessage;
}

export function readFullResponseHead(message: unknown): FullResponseHead {
  readResponseHead(message);
  return readResponseEnd(message) as FullResponseHead;
}

/** A LOG frame's line (see encodeLogLine), checked field by field before any of it is decoded. */
export function readLogLine(payload: Buffer): LogRecord {
  if (payload.length < LOG_LINE_HEAD_BYTES) violation('a log line is malformed (shorter than its head)');
  const level = LOG_LEVELS[payload[0]!];
  const stream = LOG_STREAMS[payload[1]!];
  const t = payload.readDoubleLE(2);
  const invBytes = payload[10]!;
  const msgStart = LOG_LINE_HEAD_BYTES + invBytes;
  if (level === undefined || stream === undefined || !Number.isFinite(t) || msgStart > payload.length || payload.length - msgStart > MAX_LINE_BYTES) {
    violation('a log line is malformed');
  }
  const msg = payload.toString('utf8', msgStart);
  if (msg.length > MAX_LINE_CHARS) violation('a log line is malformed (too long)');
  return { inv: invBytes === 0 ? null : payload.toString('utf8', LOG_LINE_HEAD_BYTES, msgStart), level, stream, t, msg };
}

export function readCall(message: unknown): CallMessage {
  if (!isObject(message) || !Array.isArray(message['args']) || typeof message['hasBody'] !== 'boolean'
    || (message['inv'] !== null && typeof message['inv'] !== 'string')) {
    violation('a platform call is malformed');
  }
  return {
    service: shortString(message['service'], 64, 'a call service'),
    method: shortString(message['method'], 64, 'a call method'),
    args: message['args'],
    inv: message['inv'] as string | null,
    hasBody: message['hasBody'],
  };
}
