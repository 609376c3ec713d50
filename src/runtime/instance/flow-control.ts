import { STREAM_WINDOW_BYTES } from './protocol.js';

/**
 * The sender's view of one stream: how many more body bytes the receiver
 * will take. Starts with one window; grows with each credit frame.
 */
export class SendWindow {
  #available: number;
  #wake: (() => void) | null = null;
  #closed = false;

  constructor(initial = STREAM_WINDOW_BYTES) {
    this.#available = initial;
  }

  get closed(): boolean {
    return this.#closed;
  }

  grant(bytes: number): void {
    this.#available += bytes;
    this.#wakeUp();
  }

  /** The stream ended or was aborted: a waiting sender stops. */
  close(): void {
    this.#closed = true;
    this.#wakeUp();
  }

  /** Bytes that may be sent now (at most `wanted`), without waiting; 0 when there is no credit. */
  takeNow(wanted: number): number {
    if (this.#closed) return 0;
    const n = Math.min(wanted, this.#available);
    this.#available -= n;
    return n;
  }

  /** Waits for credit; resolves with the bytes that may be sent (≥ 1), or 0 once closed. */
  async take(wanted: number): Promise<number> {
    while (this.#available === 0 && !this.#closed) {
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
      });
    }
    return this.takeNow(wanted);
  }

  #wakeUp(): void {
    const wake = this.#wake;
    this.#wake = null;
    wake?.();
  }
}

/**
 * The receiver's view of one stream: what it granted, what arrived and what
 * its consumer took. Credit is given back once the sender is down to half a
 * window, so a steady stream costs one credit frame per half window, and a
 * consumer that stops reading stops the sender after one window.
 */
export class ReceiveWindow {
  #granted = STREAM_WINDOW_BYTES;
  #received = 0;
  #consumed = 0;

  /** Counts bytes that arrived; false when the sender went past its credit. */
  receive(bytes: number): boolean {
    this.#received += bytes;
    return this.#received <= this.#granted;
  }

  /** Bytes the sender may still send before it must wait. */
  get outstanding(): number {
    return this.#granted - this.#received;
  }

  /** Records that the consumer has now taken `consumedTotal` bytes in all; returns the credit to send (0: none yet). */
  consumedUpTo(consumedTotal: number): number {
    this.#consumed = Math.max(this.#consumed, consumedTotal);
    if (this.#granted - this.#received > STREAM_WINDOW_BYTES / 2) return 0;
    const credit = this.#consumed + STREAM_WINDOW_BYTES - this.#granted;
    if (credit <= 0) return 0;
    this.#granted += credit;
    return credit;
  }
}
