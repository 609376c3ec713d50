import { HEADER_BYTES, MAX_FRAME_BYTES, ProtocolViolation, type FrameListener } from './protocol.js';

/** type + stream: the part of a frame's length that is not payload. */
const FRAME_OVERHEAD = HEADER_BYTES - 4;

/**
 * Incremental frame parser: feed it chunks as they arrive, get whole frames
 * back. A partial frame waits as a list of chunks and is joined once, when its
 * last byte arrives, so a large frame costs one copy however finely it was
 * split. A length over `maxFrameBytes` (or too short to hold a header) throws
 * ProtocolViolation before anything is buffered for it; after a throw the
 * reader takes nothing more.
 */
export class FrameReader {
  #pending: Buffer[] = [];
  #pendingBytes = 0;
  /** Bytes the frame at the head of #pending needs in all (prefix included), once its prefix arrived. */
  #need = 0;
  #failed = false;

  constructor(private readonly onFrame: FrameListener, private readonly maxFrameBytes = MAX_FRAME_BYTES) {}

  /** Takes nothing more (the channel's peer was given up on). */
  stop(): void {
    this.#failed = true;
    this.#pending = [];
    this.#pendingBytes = 0;
  }

  push(chunk: Buffer): void {
    if (this.#failed) return;
    try {
      if (this.#pendingBytes === 0) {
        this.#parse(chunk);
        return;
      }
      this.#pending.push(chunk);
      this.#pendingBytes += chunk.length;
      if (this.#need === 0) {
        if (this.#pendingBytes < 4) return;
        this.#need = this.#frameSize(this.#pendingPrefix());
      }
      if (this.#pendingBytes < this.#need) return;
      const joined = Buffer.concat(this.#pending, this.#pendingBytes);
      this.#pending = [];
      this.#pendingBytes = 0;
      this.#need = 0;
      this.#parse(joined);
    } catch (err) {
      this.stop();
      throw err;
    }
  }

  /** Emits every whole frame in `buf`; keeps the rest as pending. */
  #parse(buf: Buffer): void {
    let offset = 0;
    while (buf.length - offset >= 4) {
      const size = this.#frameSize(buf.readUInt32BE(offset));
      if (buf.length - offset < size) {
        this.#need = size;
        break;
      }
      const type = buf.readUInt8(offset + 4);
      const stream = buf.readUInt32BE(offset + 5);
      const payload = buf.subarray(offset + HEADER_BYTES, offset + size);
      offset += size;
      this.onFrame(type, stream, payload);
      if (this.#failed) return;
    }
    if (offset === buf.length) return;
    // A small remainder is copied so it doesn't pin the whole chunk it came from.
    const rest = buf.length - offset < 4096 ? Buffer.from(buf.subarray(offset)) : buf.subarray(offset);
    this.#pending = [rest];
    this.#pendingBytes = rest.length;
  }

  /** The whole frame's size (prefix included) from its length prefix, checked against the cap. */
  #frameSize(length: number): number {
    if (length < FRAME_OVERHEAD) throw new ProtocolViolation(`a frame's length (${length}) is too short to hold its header`);
    if (length > this.maxFrameBytes) throw new ProtocolViolation(`a frame of ${length} bytes is over the ${this.maxFrameBytes}-byte limit`);
    return 4 + length;
  }

  /** The first four pending bytes, which may span chunks. */
  #pendingPrefix(): number {
    const first = this.#pending[0]!;
    if (first.length >= 4) return first.readUInt32BE(0);
    return Buffer.concat(this.#pending, this.#pendingBytes).readUInt32BE(0);
  }
}
