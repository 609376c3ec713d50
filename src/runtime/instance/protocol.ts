/**
 * The host↔instance wire format, imported by both sides. A frame is
 *   u32 length (of everything after it) | u8 type | u32 stream | payload
 * Control frames carry JSON (LOG and RESPONSE_FULL a binary head, see
 * encodeLogLine and encodeFullResponse); body frames carry raw bytes, so a
 * request or response body crosses the channel as-is, in chunks, never
 * re-encoded.
 *
 * Bodies are flow-controlled per stream, as HTTP/2 does: a sender may have at
 * most STREAM_WINDOW_BYTES of a stream's body unconsumed at the receiver, and
 * the receiver grants more with a *_CREDIT frame as its consumer takes bytes.
 * One slow reader therefore holds one window, not the whole body, and never
 * stalls the other streams sharing the channel.
 */
import { parseBoundedJson } from '../../shared/bounded-json.js';
export const FRAME = {
  // host → instance
  LOAD: 1,
  INVOKE: 2,
  BODY: 3,
  END: 4,
  ABORT: 5,
  // instance → host
  READY: 10,
  LOADED: 11,
  LOAD_FAILED: 12,
  RESPONSE: 13,
  RESPONSE_BODY: 14,
  RESPONSE_END: 15,
  ERROR: 16,
  /** One log line, binary: see encodeLogLine. */
  LOG: 17,
  /** The whole answer in one frame: u32 head length | head JSON | body bytes. */
  RESPONSE_FULL: 18,
  /** The end of an invocation whose answer said `lingers`: its ctx.waitUntil work has settled (JSON ResponseEndMessage). */
  SETTLED: 19,
  // instance → host calls (ctx.queues, ctx.blobs), with their own stream ids
  CALL: 20,
  CALL_BODY: 21,
  CALL_END: 22,
  /** The upload failed in the function (its stream threw): the host must not take it as complete. */
  CALL_ABORT: 26,
  // host → instance answers to calls
  REPLY: 23,
  REPLY_BODY: 24,
  REPLY_END: 25,
  // Flow control: u32 bytes the peer may send more of on that stream.
  /** instance → host: more request body (BODY) on an invocation stream. */
  BODY_CREDIT: 30,
  /** host → instance: more response body (RESPONSE_BODY) on an invocation stream. */
  RESPONSE_CREDIT: 31,
  /** host → instance: more upload (CALL_BODY) on a call stream. */
  CALL_CREDIT: 32,
  /** instance → host: more download (REPLY_BODY) on a call stream. */
  REPLY_CREDIT: 33,
} as const;

export type FrameType = (typeof FRAME)[keyof typeof FRAME];

export const HEADER_BYTES = 9;
/** Bodies are cut into frames of at most this size so one big body can't starve other streams. */
export const MAX_BODY_FRAME_BYTES = 256 * 1024;
/**
 * The largest frame either side accepts (payload plus type and stream). A
 * receiver buffers at most one partial frame per channel, so this bounds the
 * host's memory per instance; a header claiming more is a protocol violation.
 */
export const MAX_FRAME_BYTES = 8 * 1024 * 1024;
/** Body bytes a sender may have outstanding on one stream before it waits for credit. */
export const STREAM_WINDOW_BYTES = 1024 * 1024;
/** An answer whose body is at most this size travels in one RESPONSE_FULL frame; larger ones stream. */
export const MAX_FULL_BODY_BYTES = STREAM_WINDOW_BYTES;
/** Host calls (ctx.queues, ctx.blobs) one instance may have open at once; the instance queues the rest. */
export const MAX_CALLS_IN_FLIGHT = 64;
/** Nesting depth of any JSON in a frame: far beyond real settings and messages, far from a stack overflow. */
export const MAX_FRAME_JSON_DEPTH = 64;
/** Longest log line an instance sends (characters); longer ones are cut and marked. */
export const MAX_LOG_LINE_CHARS = 16 * 1024;
/** What a cut log line ends with. */
export const LOG_LINE_CUT_MARK = '… (truncated)';
/** Longest error message or stack an instance sends (characters); longer ones are cut. */
export const MAX_ERROR_TEXT_CHARS = 16 * 1024;

/**
 * The peer broke the protocol (a malformed, oversized or unexpected frame).
 * On the host this fails the instance that sent it, and nothing else.
 */
export class ProtocolViolation extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProtocolViolation';
  }
}

export interface LoadMessage {
  bundlePath: string;
  app: string;
  version: number;
  /** null: only describe the exported definitions (deploy-time inspection). */
  functionName: string | null;
  env: Record<string, string>;
}

export interface DescribedFunction {
  name: string;
  kind: string;
  settings: unknown;
}

export interface LoadedMessage {
  functions: DescribedFunction[];
}

export interface LoadFailedMessage {
  message: string;
  stack?: string;
}

export interface InvokeMessage {
  id: string;
  trigger: string;
  /** Epoch ms after which the handler's signal fires. */
  deadline: number;
  method?: string;
  url?: string;
  headers?: [string, string][];
  params?: Record<string, string>;
}

export interface ResponseMessage {
  status: number;
  /** Only when the handler set one. */
  statusText?: string;
  headers: [string, string][];
}

export interface ResponseEndMessage {
  /** CPU time of the instance process while this invocation ran (µs). */
  cpuMicros: number;
  /** Time the invocation waited for its instance's bundle to load (ms), when it did: part of the cold start. */
  waitedMs?: number;
  /**
   * The answer is complete but the invocation is not: work handed to ctx.waitUntil
   * still runs, and a SETTLED frame ends it (its figures replace these).
   */
  lingers?: true;
}

export interface FullResponseHead extends ResponseMessage, ResponseEndMessage {}

export function encodeFullResponse(stream: number, head: FullResponseHead, body: Uint8Array): Buffer {
  const json = JSON.stringify(head);
  const jsonLength = Buffer.byteLength(json);
  const frame = allocFrame(FRAME.RESPONSE_FULL, stream, 4 + jsonLength + body.byteLength);
  frame.writeUInt32BE(jsonLength, HEADER_BYTES);
  frame.write(json, HEADER_BYTES + 4);
  frame.set(body, HEADER_BYTES + 4 + jsonLength);
  return frame;
}

/** Splits a RESPONSE_FULL payload; the head is untrusted JSON the caller still has to check. */
export function decodeFullResponse(payload: Buffer): { head: unknown; body: Buffer } {
  if (payload.length < 4) throw new ProtocolViolation('a full response frame is shorter than its head length');
  const length = payload.readUInt32BE(0);
  if (length > payload.length - 4) throw new ProtocolViolation('a full response head runs past the end of its frame');
  return { head: parseJson<unknown>(payload.subarray(4, 4 + length)), body: payload.subarray(4 + length) };
}

export interface ErrorMessage {
  message: string;
  stack?: string;
  /**
   * The handler failed, but work it handed to ctx.waitUntil still runs: the
   * invocation ends with SETTLED (or its deadline), as an answer that lingers does.
   */
  lingers?: true;
}

export interface LogRecord {
  /** Invocation id, or null outside any invocation. */
  inv: string | null;
  level: 'debug' | 'info' | 'warn' | 'error';
  stream: 'stdout' | 'stderr';
  t: number;
  msg: string;
}

/**
 * A LOG frame's payload is one line, in binary rather than JSON (lines leave
 * one by one as they are written, see log-capture.ts):
 *   u8 level | u8 stream | f64 time (LE) | u8 id length | invocation id | message (UTF-8)
 * An id length of 0 is a line outside any invocation.
 */
export const LOG_LEVELS: readonly LogRecord['level'][] = ['debug', 'info', 'warn', 'error'];
export const LOG_STREAMS: readonly LogRecord['stream'][] = ['stdout', 'stderr'];
export const LOG_LINE_HEAD_BYTES = 11;
/** Longest invocation id a LOG frame carries (the host's ids are UUIDs). */
const MAX_LOG_INVOCATION_ID_BYTES = 255;

export function encodeLogLine(line: LogRecord): Buffer {
  // The host's ids always fit; one that did not would be sent as no invocation's rather than fail the function's console.log.
  let inv = line.inv ?? '';
  let invBytes = Buffer.byteLength(inv);
  if (invBytes > MAX_LOG_INVOCATION_ID_BYTES) [inv, invBytes] = ['', 0];
  const frame = allocFrame(FRAME.LOG, 0, LOG_LINE_HEAD_BYTES + invBytes + Buffer.byteLength(line.msg));
  let at = HEADER_BYTES;
  frame[at++] = LOG_LEVELS.indexOf(line.level);
  frame[at++] = LOG_STREAMS.indexOf(line.stream);
  at = frame.writeDoubleLE(line.t, at);
  frame[at++] = invBytes;
  at += frame.write(inv, at);
  frame.write(line.msg, at);
  return frame;
}

/** A platform service the function calls through the host (queues, blobs). */
export interface CallMessage {
  service: string;
  method: string;
  args: unknown[];
  /** The invocation making the call, if any. */
  inv: string | null;
  /** A body follows as CALL_BODY frames and CALL_END. */
  hasBody: boolean;
}

export type ReplyMessage =
  | { ok: true; value: unknown; hasBody: boolean }
  | { ok: false; error: { message: string; code?: string } };

function writeHeader(buffer: Buffer, type: FrameType, stream: number, payloadLength: number): Buffer {
  buffer.writeUInt32BE(payloadLength + 5, 0);
  buffer.writeUInt8(type, 4);
  buffer.writeUInt32BE(stream, 5);
  return buffer;
}

/** A frame buffer with its header written; the caller fills the payload after HEADER_BYTES. */
function allocFrame(type: FrameType, stream: number, payloadLength: number): Buffer {
  return writeHeader(Buffer.allocUnsafe(HEADER_BYTES + payloadLength), type, stream, payloadLength);
}

/** Just the header, for a payload written separately (body chunks are not copied). */
export function frameHeader(type: FrameType, stream: number, payloadLength: number): Buffer {
  return writeHeader(Buffer.allocUnsafe(HEADER_BYTES), type, stream, payloadLength);
}

export function encodeFrame(type: FrameType, stream: number, payload?: Uint8Array): Buffer {
  const frame = allocFrame(type, stream, payload ? payload.byteLength : 0);
  if (payload) frame.set(payload, HEADER_BYTES);
  return frame;
}

export function encodeJsonFrame(type: FrameType, stream: number, message: unknown): Buffer {
  // Written straight into the frame: no intermediate Buffer of the JSON to allocate and copy.
  const json = JSON.stringify(message);
  const frame = allocFrame(type, stream, Buffer.byteLength(json));
  frame.write(json, HEADER_BYTES);
  return frame;
}

/**
 * INVOKE and, right behind it in the same buffer, END: a request with no
 * body (most GETs) costs one frame buffer and one channel write.
 */
export function encodeBodilessInvoke(stream: number, message: InvokeMessage): Buffer {
  const json = JSON.stringify(message);
  const jsonLength = Buffer.byteLength(json);
  const frame = Buffer.allocUnsafe(HEADER_BYTES + jsonLength + HEADER_BYTES);
  writeHeader(frame, FRAME.INVOKE, stream, jsonLength);
  frame.write(json, HEADER_BYTES);
  writeHeader(frame.subarray(HEADER_BYTES + jsonLength), FRAME.END, stream, 0);
  return frame;
}

export type FrameListener = (type: number, stream: number, payload: Buffer) => void;

/** A credit frame's payload: how many more body bytes the peer may send on the stream. */
export function encodeCredit(type: FrameType, stream: number, bytes: number): Buffer {
  const frame = allocFrame(type, stream, 4);
  frame.writeUInt32BE(bytes, HEADER_BYTES);
  return frame;
}

export function decodeCredit(payload: Buffer): number {
  if (payload.length !== 4) throw new ProtocolViolation(`a credit frame carries ${payload.length} bytes, not 4`);
  return payload.readUInt32BE(0);
}

/**
 * An INVOKE from the host, read by the instance. The host built it itself
 * (fixed nesting: client headers are strings in a flat list), so the depth
 * pre-scan parseJson does for untrusted frames is skipped on this per-request path.
 */
export function parseInvoke(payload: Buffer): InvokeMessage {
  return JSON.parse(payload.toString('utf8')) as InvokeMessage;
}

/** JSON from the other side, within the frame JSON limits; a ProtocolViolation when it is not JSON or too deep. */
export function parseJson<T>(payload: Buffer): T {
  try {
    return parseBoundedJson(payload, { maxBytes: MAX_FRAME_BYTES, maxDepth: MAX_FRAME_JSON_DEPTH }) as T;
  } catch (err) {
    throw new ProtocolViolation(`a control frame is not acceptable JSON: ${(err as Error).message}`);
  }
}
