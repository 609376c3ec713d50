/**
 * The host↔instance wire format, imported by both sides. A frame is
 *   u32 length (of everything after it) | u8 type | u32 stream | payload
 * Control frames carry JSON; body frames carry raw bytes, so a request or
 * response body crosses the channel as-is, in chunks, never re-encoded.
 */
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
  LOG: 17,
  /** The whole answer in one frame: u32 head length | head JSON | body bytes. */
  RESPONSE_FULL: 18,
  // instance → host calls (ctx.queues, ctx.blobs), with their own stream ids
  CALL: 20,
  CALL_BODY: 21,
  CALL_END: 22,
  // host → instance answers to calls
  REPLY: 23,
  REPLY_BODY: 24,
  REPLY_END: 25,
} as const;

export type FrameType = (typeof FRAME)[keyof typeof FRAME];

export const HEADER_BYTES = 9;
/** Bodies are cut into frames of at most this size so one big body can't starve other streams. */
export const MAX_BODY_FRAME_BYTES = 256 * 1024;

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

export function decodeFullResponse(payload: Buffer): { head: FullResponseHead; body: Buffer } {
  const length = payload.readUInt32BE(0);
  return { head: JSON.parse(payload.toString('utf8', 4, 4 + length)) as FullResponseHead, body: payload.subarray(4 + length) };
}

export interface ErrorMessage {
  message: string;
  stack?: string;
}

export interface LogRecord {
  /** Invocation id, or null outside any invocation. */
  inv: string | null;
  level: 'debug' | 'info' | 'warn' | 'error';
  stream: 'stdout' | 'stderr';
  t: number;
  msg: string;
}

export interface LogMessage {
  lines: LogRecord[];
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

export type FrameListener = (type: number, stream: number, payload: Buffer) => void;

/** Incremental parser: feed it chunks as they arrive, get whole frames back. */
export class FrameReader {
  #pending: Buffer | null = null;

  constructor(private readonly onFrame: FrameListener) {}

  push(chunk: Buffer): void {
    const buf = this.#pending ? Buffer.concat([this.#pending, chunk]) : chunk;
    let offset = 0;
    while (buf.length - offset >= 4) {
      const length = buf.readUInt32BE(offset);
      if (buf.length - offset - 4 < length) break;
      const type = buf.readUInt8(offset + 4);
      const stream = buf.readUInt32BE(offset + 5);
      const payload = buf.subarray(offset + HEADER_BYTES, offset + 4 + length);
      offset += 4 + length;
      this.onFrame(type, stream, payload);
    }
    this.#pending = offset < buf.length ? buf.subarray(offset) : null;
    // Copy a small remainder so it doesn't pin the whole chunk it came from.
    if (this.#pending && offset > 0) this.#pending = Buffer.from(this.#pending);
  }
}

export function parseJson<T>(payload: Buffer): T {
  return JSON.parse(payload.toString('utf8')) as T;
}
