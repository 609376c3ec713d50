import { Duplex, PassThrough } from 'node:stream';
import type { Sandbox, SandboxExit } from '../../../src/runtime/sandbox/driver.js';
import { FrameReader } from '../../../src/runtime/instance/frame-reader.js';

export interface HostFrame { type: number; stream: number; payload: Buffer }

/**
 * A sandbox with no process behind it: the test plays the instance. What the
 * host writes is parsed into `frames`; `fromInstance` feeds bytes to the host.
 */
export class FakeSandbox implements Sandbox {
  readonly id = 'fake-1';
  readonly pid = 0;
  readonly shape = { memoryMb: 128 };
  readonly stdout = new PassThrough();
  readonly stderr = new PassThrough();
  readonly frames: HostFrame[] = [];
  readonly channel: Duplex;
  readonly exited: Promise<SandboxExit>;
  killedFor: string | null = null;
  #exit!: (exit: SandboxExit) => void;
  #waiters: (() => void)[] = [];

  constructor() {
    const reader = new FrameReader((type, stream, payload) => {
      this.frames.push({ type, stream, payload: Buffer.from(payload) });
      for (const wake of this.#waiters.splice(0)) wake();
    });
    this.channel = new Duplex({
      read() {},
      write(chunk: Buffer, _encoding, callback) {
        reader.push(chunk);
        callback();
      },
    });
    this.exited = new Promise((resolve) => { this.#exit = resolve; });
  }

  fromInstance(bytes: Uint8Array): void {
    this.channel.push(Buffer.from(bytes));
  }

  /** Resolves once the host has written a frame matching `match`. */
  async hostSent(match: (frame: HostFrame) => boolean, timeoutMs = 5_000): Promise<HostFrame> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.frames.find(match);
      if (found) return found;
      if (Date.now() > deadline) throw new Error('the host did not send the expected frame');
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 50);
        this.#waiters.push(() => { clearTimeout(timer); resolve(); });
      });
    }
  }

  async assign(): Promise<{ bundlePath: string }> {
    return { bundlePath: '/app/bundle.mjs' };
  }

  async usage(): Promise<{ rssBytes: number; cpuMicros: number }> {
    return { rssBytes: 0, cpuMicros: 0 };
  }

  kill(reason: string): void {
    if (this.killedFor !== null) return;
    this.killedFor = reason;
    setImmediate(() => this.#exit({ code: null, signal: 'SIGKILL', outOfMemory: false, reason }));
  }
}
