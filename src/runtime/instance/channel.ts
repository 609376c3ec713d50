import { Socket } from 'node:net';
import { FRAME, FrameReader, encodeFrame, encodeJsonFrame, frameHeader, MAX_BODY_FRAME_BYTES, type FrameListener, type FrameType } from './protocol.js';

/** The instance's end of the framed channel: fd 3, a socketpair made by the host. */
export class InstanceChannel {
  readonly #socket: Socket;
  #corked = false;

  constructor(onFrame: FrameListener) {
    this.#socket = new Socket({ fd: 3, readable: true, writable: true });
    const reader = new FrameReader(onFrame);
    this.#socket.on('data', (chunk: Buffer) => reader.push(chunk));
    // The host closing the channel means this instance is no longer wanted.
    this.#socket.on('close', () => process.exit(0));
    this.#socket.on('error', () => process.exit(0));
  }

  sendJson(type: FrameType, stream: number, message: unknown): void {
    this.#write(encodeJsonFrame(type, stream, message));
  }

  sendBody(stream: number, chunk: Uint8Array, type: FrameType = FRAME.RESPONSE_BODY): boolean {
    let ok = true;
    for (let offset = 0; offset < chunk.byteLength; offset += MAX_BODY_FRAME_BYTES) {
      const part = chunk.subarray(offset, Math.min(chunk.byteLength, offset + MAX_BODY_FRAME_BYTES));
      this.#write(frameHeader(type, stream, part.byteLength));
      ok = this.#write(part);
    }
    return ok;
  }

  sendFrame(frame: Uint8Array): void {
    this.#write(frame);
  }

  send(type: FrameType, stream: number, payload?: Uint8Array): void {
    this.#write(encodeFrame(type, stream, payload));
  }

  drained(): Promise<void> {
    return new Promise((resolve) => this.#socket.once('drain', resolve));
  }

  /** Frames written in one event-loop turn go out in one syscall. */
  #write(data: Uint8Array): boolean {
    if (!this.#corked) {
      this.#corked = true;
      this.#socket.cork();
      setImmediate(() => {
        this.#corked = false;
        this.#socket.uncork();
      });
    }
    return this.#socket.write(data);
  }
}
