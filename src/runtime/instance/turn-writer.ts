import type { Writable } from 'node:stream';

/** When a frame leaves: with the turn's other frames, at once if nothing waits (`alone`), or before write() returns (`now`). */
export type FrameTiming = 'turn' | 'alone' | 'now';

/**
 * Writes frames to one end of the host–instance channel: the frames of one
 * event-loop turn leave in one syscall (the socket is corked until the turn
 * ends). A frame written `alone` (a whole invocation, with no other in flight
 * to share a write with) leaves at once, behind any frames already waiting.
 * A frame written `now` leaves before write() returns, the turn's waiting
 * frames first, whenever the socket can take it: what must reach the host
 * even if this turn never ends (the function spins until it is killed).
 */
export class TurnWriter {
  #corked = false;
  /** One end-of-turn uncork at a time: a `now` frame uncorks early, and the turn's next frames cork again under it. */
  #endOfTurnScheduled = false;

  constructor(private readonly socket: Writable) {}

  /** The socket's own answer: false when its buffer is full (wait for 'drain'). */
  write(data: Uint8Array, when: FrameTiming = 'turn'): boolean {
    if (when === 'now') {
      // An uncorked socket hands the bytes to the kernel within write() when nothing is queued ahead of them.
      this.#uncork();
    } else if (!this.#corked && when === 'turn') {
      this.#corked = true;
      this.socket.cork();
      if (!this.#endOfTurnScheduled) {
        this.#endOfTurnScheduled = true;
        setImmediate(this.#endOfTurn);
      }
    }
    return this.socket.write(data);
  }

  readonly #endOfTurn = (): void => {
    this.#endOfTurnScheduled = false;
    this.#uncork();
  };

  readonly #uncork = (): void => {
    if (!this.#corked) return;
    this.#corked = false;
    this.socket.uncork();
  };
}
