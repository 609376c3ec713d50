import type { Writable } from 'node:stream';

/**
 * Writes frames to one end of the host–instance channel: the frames of one
 * event-loop turn leave in one syscall (the socket is corked until the turn
 * ends). A frame written `alone` (a whole invocation, with no other in flight
 * to share a write with) leaves at once, behind any frames already waiting.
 */
export class TurnWriter {
  #corked = false;

  constructor(private readonly socket: Writable) {}

  /** The socket's own answer: false when its buffer is full (wait for 'drain'). */
  write(data: Uint8Array, alone = false): boolean {
    if (!this.#corked && !alone) {
      this.#corked = true;
      this.socket.cork();
      setImmediate(this.#uncork);
    }
    return this.socket.write(data);
  }

  readonly #uncork = (): void => {
    this.#corked = false;
    this.socket.uncork();
  };
}
