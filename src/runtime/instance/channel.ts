import { Socket } from 'node:net';
import { FrameReader } from './frame-reader.js';
import { TurnWriter, type FrameTiming } from './turn-writer.js';
import type { SendWindow } from './flow-control.js';
import {
  HEADER_BYTES, MAX_BODY_FRAME_BYTES, MAX_FRAME_BYTES, encodeCredit, encodeFrame, encodeJsonFrame, frameHeader,
  type FrameListener, type FrameType,
} from './protocol.js';

/** A control message too large for one frame; the sender answers with an error instead. */
export class FrameTooLarge extends Error {
  constructor(readonly bytes: number) {
    super(`a message of ${bytes} bytes is over the ${MAX_FRAME_BYTES - HEADER_BYTES}-byte limit of one frame`);
    this.name = 'FrameTooLarge';
  }
}

/** The instance's end of the framed channel: fd 3, a socketpair made by the host. */
export class InstanceChannel {
  readonly #socket: Socket;
  readonly #writer: TurnWriter;
  /** While set, nothing is written: the boot-time warm-up runs the real frame path, and the host must not see its answers. */
  muted = false;

  constructor(onFrame: FrameListener) {
    this.#socket = new Socket({ fd: 3, readable: true, writable: true });
    this.#writer = new TurnWriter(this.#socket);
    const reader = new FrameReader(onFrame);
    this.#socket.on('data', (chunk: Buffer) => {
      try {
        reader.push(chunk);
      } catch {
        // Only the host writes here; a frame it cannot have sent means the channel is not the host's any more.
        process.exit(70);
      }
    });
    // The host closing the channel means this instance is no longer wanted.
    this.#socket.on('close', () => process.exit(0));
    this.#socket.on('error', () => process.exit(0));
  }

  /** Throws FrameTooLarge, having sent nothing, when the message doesn't fit in a frame. */
  sendJson(type: FrameType, stream: number, message: unknown): void {
    const frame = encodeJsonFrame(type, stream, message);
    if (frame.length - 4 > MAX_FRAME_BYTES) throw new FrameTooLarge(frame.length - HEADER_BYTES);
    this.#write(frame);
  }

  /**
   * Sends `chunk` as body frames of `type` on `stream`, within the stream's
   * credit and the socket's own backpressure. False when the window closed
   * (the stream was aborted) before all of it went.
   */
  async sendBody(type: FrameType, stream: number, window: SendWindow, chunk: Uint8Array): Promise<boolean> {
    let offset = 0;
    while (offset < chunk.byteLength) {
      const wanted = Math.min(chunk.byteLength - offset, MAX_BODY_FRAME_BYTES);
      const n = window.takeNow(wanted) || (await window.take(wanted));
      if (n === 0) return false;
      this.#write(frameHeader(type, stream, n));
      const flowing = this.#write(chunk.subarray(offset, offset + n));
      offset += n;
      if (!flowing) await this.drained();
    }
    return true;
  }

  sendCredit(type: FrameType, stream: number, bytes: number): void {
    this.#write(encodeCredit(type, stream, bytes));
  }

  /**
   * `alone`: nothing else is in flight to share a write with, so the frame need not wait for the turn's end. `now`:
   * the frame is handed to the socket before this returns, whatever else is in flight (see TurnWriter).
   */
  sendFrame(frame: Uint8Array, when: FrameTiming = 'turn'): void {
    this.#write(frame, when);
  }

  send(type: FrameType, stream: number, payload?: Uint8Array): void {
    this.#write(encodeFrame(type, stream, payload));
  }

  drained(): Promise<void> {
    return new Promise((resolve) => this.#socket.once('drain', resolve));
  }

  #write(data: Uint8Array, when: FrameTiming = 'turn'): boolean {
    if (this.muted) return true;
    return this.#writer.write(data, when);
  }
}
