import { PassThrough, type Readable } from 'node:stream';
import type { Sandbox, SandboxExit } from '../sandbox/driver.js';
import { InvocationFailure, type Invocation, type InvocationResponse } from '../invocation.js';
import {
  FRAME, FrameReader, MAX_BODY_FRAME_BYTES, decodeFullResponse, encodeFrame, encodeJsonFrame, frameHeader, parseJson,
  type ErrorMessage, type InvokeMessage, type LoadedMessage, type LoadFailedMessage, type LoadMessage,
  type CallMessage, type LogMessage, type LogRecord, type ReplyMessage, type ResponseEndMessage, type ResponseMessage,
} from '../instance/protocol.js';
import type { HostServices } from '../host-services.js';
import { NimbusError } from '../../shared/errors.js';

export type InstanceState = 'starting' | 'ready' | 'draining' | 'stopped';

/** The end of one invocation on an instance: its CPU time, or why it failed. */
export interface InvocationDone {
  cpuMicros: number;
  /** Time spent waiting for the bundle to load, sent right behind LOAD on a cold start (ms). */
  waitedMs: number;
}

interface Stream {
  invocationId: string;
  headReceived: boolean;
  resolveHead: (response: InvocationResponse) => void;
  rejectHead: (failure: InvocationFailure) => void;
  body: PassThrough | null;
  resolveDone: (done: InvocationDone) => void;
  rejectDone: (failure: InvocationFailure) => void;
}

/**
 * The host's side of one sandboxed instance: multiplexes invocations over
 * the framed channel, and fails exactly its in-flight invocations when the
 * sandbox dies.
 */
export class Instance {
  state: InstanceState = 'starting';
  /** Invocations running now. */
  inflight = 0;
  lastUsedAt = 0;
  peakRssBytes = 0;
  /** Set when the host decided to kill it; becomes the failure reason of what it was running. */
  stopReason: { outcome: 'timeout' | 'out-of-memory' | 'crashed'; message: string } | null = null;
  readonly exited: Promise<SandboxExit>;
  /** Which function it serves, once assigned. */
  assignment: { app: string; version: number; functionName: string } | null = null;

  readonly #streams = new Map<number, Stream>();
  #nextStream = 1;
  #ready: Promise<void>;
  #loadWaiter: { resolve: (m: LoadedMessage) => void; reject: (e: Error) => void } | null = null;
  #corked = false;
  /** Upload bodies of host calls in progress, by call id. */
  readonly #callBodies = new Map<number, PassThrough>();

  constructor(
    readonly sandbox: Sandbox,
    private readonly onLog: (lines: LogRecord[], instance: Instance) => void,
    private readonly hostServices?: HostServices,
  ) {
    let markReady!: () => void;
    let failReady!: (e: Error) => void;
    this.#ready = new Promise((resolve, reject) => {
      markReady = resolve;
      failReady = reject;
    });
    this.#ready.catch(() => {});
    const reader = new FrameReader((type, stream, payload) => {
      switch (type) {
        case FRAME.READY:
          markReady();
          break;
        case FRAME.LOADED:
          this.#loadWaiter?.resolve(parseJson<LoadedMessage>(payload));
          this.#loadWaiter = null;
          break;
        case FRAME.LOAD_FAILED: {
          const failure = parseJson<LoadFailedMessage>(payload);
          const error = new Error(failure.message);
          if (failure.stack) error.stack = failure.stack;
          this.#loadWaiter?.reject(error);
          this.#loadWaiter = null;
          // Invocations sent right behind LOAD fail now, as a start failure, before the instance's own answers to them arrive.
          this.#failStreams('crashed', `the function's instance failed to start: ${failure.message}`);
          break;
        }
        case FRAME.RESPONSE:
          this.#onResponse(stream, parseJson<ResponseMessage>(payload));
          break;
        case FRAME.RESPONSE_BODY:
          this.#streams.get(stream)?.body?.write(Buffer.from(payload));
          break;
        case FRAME.RESPONSE_END:
          this.#onEnd(stream, parseJson<ResponseEndMessage>(payload));
          break;
        case FRAME.RESPONSE_FULL:
          this.#onFullResponse(stream, payload);
          break;
        case FRAME.ERROR:
          this.#onError(stream, parseJson<ErrorMessage>(payload));
          break;
        case FRAME.LOG:
          this.onLog(parseJson<LogMessage>(payload).lines, this);
          break;
        case FRAME.CALL:
          this.#onCall(stream, parseJson<CallMessage>(payload));
          break;
        case FRAME.CALL_BODY:
          this.#callBodies.get(stream)?.write(Buffer.from(payload));
          break;
        case FRAME.CALL_END:
          this.#callBodies.get(stream)?.end();
          this.#callBodies.delete(stream);
          break;
      }
    });
    sandbox.channel.on('data', (chunk: Buffer) => reader.push(chunk));
    sandbox.channel.on('error', () => {});
    this.exited = sandbox.exited.then((exit) => {
      this.state = 'stopped';
      failReady(new Error(`the instance exited while starting (code ${exit.code}, signal ${exit.signal})`));
      this.#loadWaiter?.reject(new Error(exit.reason ?? `the instance exited (code ${exit.code}, signal ${exit.signal})`));
      this.#failAll(exit);
      return exit;
    });
  }

  get id(): string {
    return this.sandbox.id;
  }

  /** Resolves when the instance runtime has booted. */
  ready(): Promise<void> {
    return this.#ready;
  }

  load(message: LoadMessage): Promise<LoadedMessage> {
    return new Promise((resolve, reject) => {
      this.#loadWaiter = { resolve, reject };
      this.#write(encodeJsonFrame(FRAME.LOAD, 0, message));
    });
  }

  /**
   * Starts an invocation. Resolves with the response head and a streaming body;
   * `done` settles when the body has fully arrived (or the invocation failed).
   */
  invoke(invocation: Invocation, deadline: number): { response: Promise<InvocationResponse>; done: Promise<InvocationDone> } {
    const streamId = this.#nextStream++;
    if (this.#nextStream > 0xfffffff0) this.#nextStream = 1;
    let stream!: Stream;
    const response = new Promise<InvocationResponse>((resolveHead, rejectHead) => {
      stream = {
        invocationId: invocation.id, headReceived: false, resolveHead, rejectHead, body: null,
        resolveDone: () => {}, rejectDone: () => {},
      };
    });
    const done = new Promise<InvocationDone>((resolve, reject) => {
      stream.resolveDone = resolve;
      stream.rejectDone = reject;
    });
    done.catch(() => {});
    response.catch(() => {});
    this.#streams.set(streamId, stream);
    const message: InvokeMessage = { id: invocation.id, trigger: invocation.trigger, deadline, ...invocation.head };
    this.#write(encodeJsonFrame(FRAME.INVOKE, streamId, message));
    void this.#sendBody(streamId, invocation.body);
    return { response, done };
  }

  /** Tells the handler its deadline passed (its ctx.signal fires). */
  abort(invocationId: string): void {
    for (const [id, stream] of this.#streams) {
      if (stream.invocationId === invocationId) this.#write(encodeFrame(FRAME.ABORT, id));
    }
  }

  /** Fails one invocation now (its deadline passed) and tells the handler to stop. */
  failInvocation(invocationId: string, failure: InvocationFailure): void {
    for (const [id, stream] of this.#streams) {
      if (stream.invocationId !== invocationId) continue;
      this.#streams.delete(id);
      this.#write(encodeFrame(FRAME.ABORT, id));
      this.#fail(stream, failure);
    }
  }

  kill(outcome: 'timeout' | 'out-of-memory' | 'crashed', message: string): void {
    this.stopReason ??= { outcome, message };
    this.state = 'stopped';
    this.sandbox.kill(message, outcome === 'out-of-memory');
  }

  async #sendBody(streamId: number, body: Readable | Uint8Array): Promise<void> {
    try {
      if (body instanceof Uint8Array) {
        this.#writeBody(streamId, body);
      } else {
        for await (const chunk of body as AsyncIterable<Buffer>) {
          if (!this.#streams.has(streamId)) return;
          if (!this.#writeBody(streamId, chunk)) await new Promise((resolve) => this.sandbox.channel.once('drain', resolve));
        }
      }
      if (this.#streams.has(streamId)) this.#write(encodeFrame(FRAME.END, streamId));
    } catch (err) {
      // The caller's body failed (client went away, body too large): stop the handler.
      const stream = this.#streams.get(streamId);
      if (stream) this.#write(encodeFrame(FRAME.ABORT, streamId));
      void err;
    }
  }

  #writeBody(streamId: number, chunk: Uint8Array): boolean {
    let ok = true;
    for (let offset = 0; offset < chunk.byteLength; offset += MAX_BODY_FRAME_BYTES) {
      const part = chunk.subarray(offset, Math.min(chunk.byteLength, offset + MAX_BODY_FRAME_BYTES));
      this.#write(frameHeader(FRAME.BODY, streamId, part.byteLength));
      ok = this.#write(part);
    }
    return ok;
  }

  /** Frames written in one event-loop turn go out in one syscall. */
  #write(data: Uint8Array): boolean {
    const channel = this.sandbox.channel;
    if (channel.destroyed) return false;
    if (!this.#corked) {
      this.#corked = true;
      channel.cork();
      setImmediate(() => {
        this.#corked = false;
        channel.uncork();
      });
    }
    return channel.write(data);
  }

  #onCall(callId: number, message: CallMessage): void {
    const body = message.hasBody ? new PassThrough() : null;
    if (body) this.#callBodies.set(callId, body);
    const reply = (answer: ReplyMessage): void => {
      this.#write(encodeJsonFrame(FRAME.REPLY, callId, answer));
    };
    const who = this.assignment;
    if (!this.hostServices || !who) {
      reply({ ok: false, error: { message: 'platform services are not available to this instance' } });
      return;
    }
    this.hostServices({ ...who, invocationId: message.inv, service: message.service, method: message.method, args: message.args, body })
      .then(async (result) => {
        reply({ ok: true, value: result.value ?? null, hasBody: result.body !== undefined });
        if (!result.body) return;
        for await (const chunk of result.body as AsyncIterable<Buffer>) {
          if (this.state === 'stopped') return;
          for (let offset = 0; offset < chunk.byteLength; offset += MAX_BODY_FRAME_BYTES) {
            const part = chunk.subarray(offset, Math.min(chunk.byteLength, offset + MAX_BODY_FRAME_BYTES));
            this.#write(frameHeader(FRAME.REPLY_BODY, callId, part.byteLength));
            if (!this.#write(part)) await new Promise((resolve) => this.sandbox.channel.once('drain', resolve));
          }
        }
        this.#write(encodeFrame(FRAME.REPLY_END, callId));
      })
      .catch((err: unknown) => {
        const error = err instanceof NimbusError ? { message: err.message, code: err.code } : { message: err instanceof Error ? err.message : String(err) };
        reply({ ok: false, error });
      });
  }

  #onResponse(streamId: number, message: ResponseMessage): void {
    const stream = this.#streams.get(streamId);
    if (!stream) return;
    stream.headReceived = true;
    stream.body = new PassThrough();
    stream.resolveHead({ status: message.status, statusText: message.statusText, headers: message.headers, body: stream.body });
  }

  #onFullResponse(streamId: number, payload: Buffer): void {
    const stream = this.#streams.get(streamId);
    if (!stream) return;
    this.#streams.delete(streamId);
    const { head, body } = decodeFullResponse(payload);
    stream.headReceived = true;
    stream.resolveHead({ status: head.status, statusText: head.statusText, headers: head.headers, body });
    stream.resolveDone({ cpuMicros: head.cpuMicros, waitedMs: head.waitedMs ?? 0 });
  }

  #onEnd(streamId: number, message: ResponseEndMessage): void {
    const stream = this.#streams.get(streamId);
    if (!stream) return;
    this.#streams.delete(streamId);
    stream.body?.end();
    stream.resolveDone({ cpuMicros: message.cpuMicros, waitedMs: message.waitedMs ?? 0 });
  }

  #onError(streamId: number, message: ErrorMessage): void {
    const stream = this.#streams.get(streamId);
    if (!stream) return;
    this.#streams.delete(streamId);
    const failure = new InvocationFailure('error', message.message);
    if (message.stack) failure.stack = message.stack;
    this.#fail(stream, failure);
  }

  #fail(stream: Stream, failure: InvocationFailure): void {
    if (!stream.headReceived) stream.rejectHead(failure);
    else stream.body?.destroy(failure);
    stream.rejectDone(failure);
  }

  #failAll(exit: SandboxExit): void {
    const reason = this.stopReason ?? (exit.outOfMemory
      ? { outcome: 'out-of-memory' as const, message: exit.reason ?? 'the instance ran out of memory' }
      : { outcome: 'crashed' as const, message: `the instance exited unexpectedly (code ${exit.code}, signal ${exit.signal})` });
    this.#failStreams(reason.outcome, reason.message);
  }

  #failStreams(outcome: 'timeout' | 'out-of-memory' | 'crashed', message: string): void {
    for (const stream of this.#streams.values()) this.#fail(stream, new InvocationFailure(outcome, message));
    this.#streams.clear();
  }
}
