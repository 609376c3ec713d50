import { Readable } from 'node:stream';
import { ReceiveWindow } from '../instance/flow-control.js';
import { STREAM_WINDOW_BYTES } from '../instance/protocol.js';

/**
 * A body arriving from an instance (a streamed response, a ctx.blobs.put
 * upload), handed to the host's consumer as a Readable. It holds at most one
 * window: credit goes back to the instance only as the consumer reads, so a
 * caller that stops reading stops the function's stream, not the node's memory.
 */
export class CreditedBody extends Readable {
  readonly #window = new ReceiveWindow();
  #pushed = 0;

  /**
   * @param sendCredit tells the instance it may send `bytes` more
   * @param onAbandon the consumer went away before the end: the instance should stop sending
   */
  constructor(private readonly sendCredit: (bytes: number) => void, private readonly onAbandon: () => void) {
    super({ highWaterMark: STREAM_WINDOW_BYTES });
    // The instance failing is reported to whoever reads the body; when nobody reads it yet, it must not crash the node.
    this.on('error', () => {});
  }

  /** A body frame's bytes; false when the instance sent more than it was granted. */
  deliver(chunk: Buffer): boolean {
    if (!this.#window.receive(chunk.length)) return false;
    if (this.destroyed) return true;
    this.#pushed += chunk.length;
    // Copied: the frame's bytes belong to a chunk the reader will reuse or that holds other frames.
    this.push(Buffer.from(chunk));
    // A flowing consumer may have taken it already, without a read() call.
    this.#giveCredit();
    return true;
  }

  finish(): void {
    if (!this.destroyed) this.push(null);
  }

  /**
   * Consumption is counted after each read(), which every consumer (pipe,
   * async iteration, 'data' in flowing mode) goes through: _read runs before
   * the bytes leave the buffer, so it cannot tell what was taken.
   */
  override read(size?: number): unknown {
    const chunk: unknown = super.read(size);
    this.#giveCredit();
    return chunk;
  }

  override _read(): void {
    // Data comes when the instance sends it; credit (given in read()) is what paces it.
  }

  #giveCredit(): void {
    if (this.destroyed) return;
    const credit = this.#window.consumedUpTo(this.#pushed - this.readableLength);
    if (credit > 0) this.sendCredit(credit);
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    if (!this.readableEnded) this.onAbandon();
    callback(error);
  }
}
