import { availableParallelism } from 'node:os';
import type { Readable } from 'node:stream';
import type { Sandbox, SandboxExit } from '../sandbox/driver.js';
import { InvocationFailure, type Invocation, type InvocationResponse } from '../invocation.js';
import {
  FRAME, MAX_BODY_FRAME_BYTES, MAX_CALLS_IN_FLIGHT, ProtocolViolation, decodeCredit, decodeFullResponse, encodeCredit,
  encodeBodilessInvoke, encodeFrame, encodeJsonFrame, frameHeader, parseJson,
  type FrameType, type InvokeMessage, type LoadedMessage, type LoadMessage, type LogRecord, type ReplyMessage,
} from '../instance/protocol.js';
import { FrameReader } from '../instance/frame-reader.js';
import { SendWindow } from '../instance/flow-control.js';
import { TurnWriter, type FrameTiming } from '../instance/turn-writer.js';
import type { HostServices } from '../host-services.js';
import { NimbusError, type ErrorCode } from '../../shared/errors.js';
import { CreditedBody } from './credited-body.js';
import { readCall, readError, readFullResponseHead, readLoaded, readLogLine, readResponseEnd, readResponseHead } from './instance-messages.js';
import { StreamTable } from './stream-table.js';

export type InstanceState = 'starting' | 'ready' | 'draining' | 'stopped';

/** The end of one invocation on an instance: its CPU time, or why it failed. */
export interface InvocationDone {
  cpuMicros: number;
  /** Time spent waiting for the bundle to load, sent right behind LOAD on a cold start (ms). */
  waitedMs: number;
}

/** Why the host stopped an instance; becomes the failure of whatever it was running. */
export interface StopReason {
  outcome: 'timeout' | 'out-of-memory' | 'crashed';
  message: string;
  /** The caller's error code, when the outcome alone doesn't say it. */
  code?: ErrorCode;
}

interface Stream {
  invocationId: string;
  /** performance.now() when the invocation was sent: bounds the times the instance reports. */
  sentAt: number;
  headReceived: boolean;
  resolveHead: (response: InvocationResponse) => void;
  rejectHead: (failure: InvocationFailure) => void;
  body: CreditedBody | null;
  /** Credit for the request body this host sends. */
  requestWindow: SendWindow;
  resolveDone: (done: InvocationDone) => void;
  rejectDone: (failure: InvocationFailure) => void;
  /** The answer went out but ctx.waitUntil work still runs: the invocation ends with SETTLED (or its deadline). */
  lingering: boolean;
  /** The handler failed while its waitUntil work goes on: the invocation's outcome once that work settles. */
  failure?: InvocationFailure;
}

/** A platform call the instance made (ctx.queues, ctx.blobs): its upload and the credit for its reply's body. */
interface OpenCall {
  /** The invocation that made it: its uploads and downloads end with it. */
  invocationId: string | null;
  upload: CreditedBody | null;
  replyWindow: SendWindow;
}

/** Invocation ids remembered after they finish, for log lines flushed just after the answer. */
const RECENT_INVOCATIONS = 64;
/** CPU time an invocation can have used: its wall time on every core. */
const CORES = availableParallelism();

/**
 * The host's side of one sandboxed instance: multiplexes invocations over
 * the framed channel, and fails exactly its in-flight invocations when the
 * sandbox dies. Everything the instance sends is untrusted: a malformed,
 * oversized or unexpected frame fails this instance (502
 * NIMBUS_ERR_FUNCTION_PROTOCOL to what it was running) and nothing else.
 */
export class Instance {
  state: InstanceState = 'starting';
  /** Invocations running now. */
  inflight = 0;
  lastUsedAt = 0;
  peakRssBytes = 0;
  /** Set when the host decided to kill it; becomes the failure reason of what it was running. */
  stopReason: StopReason | null = null;
  readonly exited: Promise<SandboxExit>;
  /** Which function it serves, once assigned. */
  assignment: { app: string; version: number; functionName: string } | null = null;

  readonly #streams = new StreamTable<Stream>();
  #nextStream = 1;
  #ready: Promise<void>;
  #booted = false;
  #loadWaiter: { resolve: (m: LoadedMessage) => void; reject: (e: Error) => void } | null = null;
  readonly #writer: TurnWriter;
  readonly #calls = new Map<number, OpenCall>();
  readonly #reader: FrameReader;
  /** Ids of invocations this instance ran lately: a log line may only claim one of these. */
  /** A ring of the last RECENT_INVOCATIONS ids: one slot overwritten per invocation, nothing shifted. */
  readonly #recentInvocations: string[] = [];
  #recentNext = 0;

  constructor(
    readonly sandbox: Sandbox,
    private readonly onLog: (line: LogRecord, instance: Instance) => void,
    private readonly hostServices?: HostServices,
  ) {
    this.#writer = new TurnWriter(sandbox.channel);
    let markReady!: () => void;
    let failReady!: (e: Error) => void;
    this.#ready = new Promise((resolve, reject) => {
      markReady = resolve;
      failReady = reject;
    });
    this.#ready.catch(() => {});
    this.#reader = new FrameReader((type, stream, payload) => this.#onFrame(type, stream, payload, markReady));
    sandbox.channel.on('data', (chunk: Buffer) => {
      try {
        this.#reader.push(chunk);
      } catch (err) {
        this.#violated(err);
      }
    });
    sandbox.channel.on('error', () => {});
    this.exited = sandbox.exited.then((exit) => {
      this.state = 'stopped';
      failReady(new Error(`the instance exited while starting (code ${exit.code}, signal ${exit.signal})`));
      this.#loadWaiter?.reject(new Error(this.stopReason?.message ?? exit.reason ?? `the instance exited (code ${exit.code}, signal ${exit.signal})`));
      this.#loadWaiter = null;
      this.#failAll(exit);
      return exit;
    });
  }

  #onFrame(type: number, stream: number, payload: Buffer, markReady: () => void): void {
    switch (type) {
      case FRAME.READY:
        if (this.#booted) throw new ProtocolViolation('READY sent twice');
        this.#booted = true;
        markReady();
        return;
      case FRAME.LOADED: {
        // Checked before the waiter is taken: a malformed answer must still reject it (through #violated).
        this.#expectLoad('LOADED');
        const functions = readLoaded(parseJson(payload));
        this.#takeLoadWaiter().resolve({ functions });
        return;
      }
      case FRAME.LOAD_FAILED: {
        this.#expectLoad('LOAD_FAILED');
        const failure = readError(parseJson(payload));
        const error = new Error(failure.message);
        if (failure.stack) error.stack = failure.stack;
        this.#takeLoadWaiter().reject(error);
        // Invocations sent right behind LOAD fail now, as a start failure, before the instance's own answers to them arrive.
        this.#failStreams({ outcome: 'crashed', message: `the function's instance failed to start: ${failure.message}` });
        return;
      }
      case FRAME.RESPONSE:
        this.#onResponse(stream, payload);
        return;
      case FRAME.RESPONSE_BODY: {
        const target = this.#streams.get(stream);
        if (!target) return;
        if (!target.body) throw new ProtocolViolation('a response body frame came before its head');
        if (!target.body.deliver(payload)) throw new ProtocolViolation('a response body went past its credit');
        return;
      }
      case FRAME.RESPONSE_END:
        this.#onEnd(stream, payload);
        return;
      case FRAME.RESPONSE_FULL:
        this.#onFullResponse(stream, payload);
        return;
      case FRAME.SETTLED:
        this.#onSettled(stream, payload);
        return;
      case FRAME.ERROR:
        this.#onError(stream, payload);
        return;
      case FRAME.LOG:
        this.#onLog(payload);
        return;
      case FRAME.CALL:
        this.#onCall(stream, payload);
        return;
      case FRAME.CALL_BODY: {
        const call = this.#calls.get(stream);
        if (!call) return;
        if (!call.upload) throw new ProtocolViolation('a call body frame for a call without a body');
        if (!call.upload.deliver(payload)) throw new ProtocolViolation('a call body went past its credit');
        return;
      }
      case FRAME.CALL_END:
        this.#calls.get(stream)?.upload?.finish();
        return;
      case FRAME.CALL_ABORT:
        this.#abortCall(stream, 'the function abandoned the call');
        return;
      case FRAME.BODY_CREDIT: {
        const credit = decodeCredit(payload);
        this.#streams.get(stream)?.requestWindow.grant(credit);
        return;
      }
      case FRAME.REPLY_CREDIT: {
        const credit = decodeCredit(payload);
        this.#calls.get(stream)?.replyWindow.grant(credit);
        return;
      }
      default:
        throw new ProtocolViolation(`a frame of type ${type}, which instances do not send`);
    }
  }

  #expectLoad(frame: string): void {
    if (!this.#loadWaiter) throw new ProtocolViolation(`${frame} without a LOAD`);
  }

  #takeLoadWaiter(): { resolve: (m: LoadedMessage) => void; reject: (e: Error) => void } {
    const waiter = this.#loadWaiter!;
    this.#loadWaiter = null;
    return waiter;
  }

  /** The instance sent something the host cannot accept: it is stopped, and what it ran fails with the reason. */
  #violated(err: unknown): void {
    if (this.state === 'stopped' && this.stopReason) return;
    const what = err instanceof ProtocolViolation ? err.message : `the host failed to handle a frame (${err instanceof Error ? err.message : String(err)})`;
    const reason: StopReason = {
      outcome: 'crashed', code: 'NIMBUS_ERR_FUNCTION_PROTOCOL',
      message: `the instance broke the host protocol (${what}) and was replaced`,
    };
    this.#reader.stop();
    this.stopReason ??= reason;
    this.state = 'stopped';
    this.#loadWaiter?.reject(new Error(reason.message));
    this.#loadWaiter = null;
    this.#failStreams(reason);
    this.sandbox.kill(reason.message, false);
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
        invocationId: invocation.id, sentAt: performance.now(), headReceived: false, resolveHead, rejectHead, body: null,
        requestWindow: new SendWindow(), resolveDone: () => {}, rejectDone: () => {}, lingering: false,
      };
    });
    const done = new Promise<InvocationDone>((resolve, reject) => {
      stream.resolveDone = resolve;
      stream.rejectDone = reject;
    });
    done.catch(() => {});
    response.catch(() => {});
    this.#streams.set(streamId, stream);
    this.#remember(invocation.id);
    const message: InvokeMessage = { id: invocation.id, trigger: invocation.trigger, deadline, ...invocation.head };
    const { body } = invocation;
    if (body instanceof Uint8Array && body.byteLength === 0) {
      // No body to pump through credit: the END goes out with the INVOKE, and no async body task runs.
      // Alone on the channel, nothing else would share its write: it leaves now, not at the end of the turn.
      this.#write(encodeBodilessInvoke(streamId, message), this.#streams.size === 1 ? 'alone' : 'turn');
    } else {
      this.#write(encodeJsonFrame(FRAME.INVOKE, streamId, message));
      void this.#sendBody(streamId, stream.requestWindow, body);
    }
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

  /** The request body, as fast as the instance grants credit for it. */
  async #sendBody(streamId: number, window: SendWindow, body: Readable | Uint8Array): Promise<void> {
    // A body that fails while this waits for credit (the caller went away) must still stop the handler.
    let failed = false;
    const onError = (): void => {
      failed = true;
      window.close();
    };
    if (!(body instanceof Uint8Array)) body.once('error', onError);
    try {
      if (body instanceof Uint8Array) {
        await this.#writeBody(FRAME.BODY, streamId, window, body);
      } else {
        for await (const chunk of body as AsyncIterable<Buffer>) {
          if (!(await this.#writeBody(FRAME.BODY, streamId, window, chunk))) break;
        }
      }
    } catch {
      failed = true;
    } finally {
      if (!(body instanceof Uint8Array)) body.off('error', onError);
    }
    if (!this.#streams.has(streamId)) return;
    // The caller's body failed (client went away, body too large): stop the handler.
    if (failed) this.#write(encodeFrame(FRAME.ABORT, streamId));
    else if (!window.closed) this.#write(encodeFrame(FRAME.END, streamId));
  }

  /**
   * Sends `chunk` as body frames of `type`, each within the stream's credit and
   * the channel's own backpressure. False when the stream closed first.
   */
  async #writeBody(type: FrameType, streamId: number, window: SendWindow, chunk: Uint8Array): Promise<boolean> {
    let offset = 0;
    while (offset < chunk.byteLength) {
      const wanted = Math.min(chunk.byteLength - offset, MAX_BODY_FRAME_BYTES);
      const n = window.takeNow(wanted) || (await window.take(wanted));
      if (n === 0 || this.state === 'stopped') return false;
      this.#write(frameHeader(type, streamId, n));
      const flowing = this.#write(chunk.subarray(offset, offset + n));
      offset += n;
      if (!flowing && !this.sandbox.channel.destroyed) await new Promise((resolve) => this.sandbox.channel.once('drain', resolve));
    }
    return true;
  }

  #write(data: Uint8Array, when: FrameTiming = 'turn'): boolean {
    if (this.sandbox.channel.destroyed) return false;
    return this.#writer.write(data, when);
  }

  #remember(invocationId: string): void {
    this.#recentInvocations[this.#recentNext] = invocationId;
    this.#recentNext = (this.#recentNext + 1) % RECENT_INVOCATIONS;
  }

  /** Lines go to the instance's own function; a line claiming an invocation this instance never ran belongs to none. */
  #onLog(payload: Buffer): void {
    const line = readLogLine(payload);
    if (line.inv !== null && !this.#recentInvocations.includes(line.inv)) line.inv = null;
    this.onLog(line, this);
  }

  #onCall(callId: number, payload: Buffer): void {
    const message = readCall(parseJson(payload));
    if (this.#calls.has(callId)) throw new ProtocolViolation(`call ${callId} opened twice`);
    if (this.#calls.size >= MAX_CALLS_IN_FLIGHT) throw new ProtocolViolation(`more than ${MAX_CALLS_IN_FLIGHT} platform calls open at once`);
    const invocationId = message.inv !== null && this.#recentInvocations.includes(message.inv) ? message.inv : null;
    const call: OpenCall = {
      invocationId,
      upload: message.hasBody
        ? new CreditedBody((bytes) => this.#write(encodeCredit(FRAME.CALL_CREDIT, callId, bytes)), () => {})
        : null,
      replyWindow: new SendWindow(),
    };
    this.#calls.set(callId, call);
    const finish = (): void => {
      call.replyWindow.close();
      call.upload?.destroy();
      this.#calls.delete(callId);
    };
    const reply = (answer: ReplyMessage): void => {
      this.#write(encodeJsonFrame(FRAME.REPLY, callId, answer));
    };
    const who = this.assignment;
    if (!this.hostServices || !who) {
      reply({ ok: false, error: { message: 'platform services are not available to this instance' } });
      finish();
      return;
    }
    const invocationRunning = invocationId !== null && this.#streams.runs(invocationId);
    this.hostServices({ ...who, invocationId, invocationRunning, service: message.service, method: message.method, args: message.args, body: call.upload })
      .then(async (result) => {
        reply({ ok: true, value: result.value ?? null, hasBody: result.body !== undefined });
        if (result.body) await this.#sendReplyBody(callId, call, result.body);
      })
      .catch((err: unknown) => {
        const error = err instanceof NimbusError ? { message: err.message, code: err.code } : { message: err instanceof Error ? err.message : String(err) };
        reply({ ok: false, error });
      })
      .finally(finish);
  }

  /** A download (ctx.blobs.get) at the pace the function reads it; cut off, never ended, when it fails or its call is closed. */
  async #sendReplyBody(callId: number, call: OpenCall, body: Readable): Promise<void> {
    try {
      for await (const chunk of body as AsyncIterable<Buffer>) {
        if (!(await this.#writeBody(FRAME.REPLY_BODY, callId, call.replyWindow, chunk))) {
          body.destroy();
          this.#write(encodeFrame(FRAME.CALL_ABORT, callId));
          return;
        }
      }
      this.#write(encodeFrame(FRAME.REPLY_END, callId));
    } catch {
      this.#write(encodeFrame(FRAME.CALL_ABORT, callId));
    }
  }

  /** Stops a call's upload and download (the function gave up on it, or its invocation ended). */
  #abortCall(callId: number, why: string): void {
    const call = this.#calls.get(callId);
    if (!call) return;
    call.replyWindow.close();
    call.upload?.destroy(new Error(why));
  }

  /** Uploads and downloads belong to the invocation that started them. */
  #endCallsOf(invocationId: string): void {
    for (const [callId, call] of this.#calls) {
      if (call.invocationId === invocationId) this.#abortCall(callId, 'its invocation ended');
    }
  }

  #onResponse(streamId: number, payload: Buffer): void {
    const stream = this.#streams.get(streamId);
    if (!stream) return;
    const message = readResponseHead(parseJson(payload));
    if (stream.headReceived) throw new ProtocolViolation('a second response head for one invocation');
    stream.headReceived = true;
    stream.body = new CreditedBody(
      (bytes) => this.#write(encodeCredit(FRAME.RESPONSE_CREDIT, streamId, bytes)),
      // The caller stopped reading for good (it went away): the handler's stream is told to stop.
      () => { if (this.#streams.get(streamId) === stream) this.#write(encodeFrame(FRAME.ABORT, streamId)); },
    );
    stream.resolveHead({ status: message.status, statusText: message.statusText, headers: message.headers, body: stream.body });
  }

  #onFullResponse(streamId: number, payload: Buffer): void {
    const stream = this.#streams.get(streamId);
    if (!stream) return;
    const { head: raw, body } = decodeFullResponse(payload);
    const head = readFullResponseHead(raw);
    if (stream.headReceived) throw new ProtocolViolation('a full response after a response head');
    stream.headReceived = true;
    if (head.lingers) {
      this.#linger(stream);
      stream.resolveHead({ status: head.status, statusText: head.statusText, headers: head.headers, body });
      return;
    }
    this.#streams.delete(streamId);
    this.#settled(stream);
    stream.resolveHead({ status: head.status, statusText: head.statusText, headers: head.headers, body });
    stream.resolveDone(this.#measured(stream, head.cpuMicros, head.waitedMs));
  }

  #onEnd(streamId: number, payload: Buffer): void {
    const stream = this.#streams.get(streamId);
    if (!stream) return;
    const message = readResponseEnd(parseJson(payload));
    if (!stream.body || stream.lingering) throw new ProtocolViolation('a response end before its head, or twice');
    if (message.lingers) {
      stream.body.finish();
      stream.body = null;
      this.#linger(stream);
      return;
    }
    this.#streams.delete(streamId);
    this.#settled(stream);
    stream.body.finish();
    stream.resolveDone(this.#measured(stream, message.cpuMicros, message.waitedMs));
  }

  /**
   * The answer is complete and the caller has it; the invocation goes on (ctx.waitUntil):
   * it keeps its slot, its platform calls and its deadline until SETTLED.
   */
  #linger(stream: Stream): void {
    stream.lingering = true;
    stream.requestWindow.close();
  }

  /** A lingering invocation's waitUntil work settled: now it ends, with the CPU time of all of it. */
  #onSettled(streamId: number, payload: Buffer): void {
    const stream = this.#streams.get(streamId);
    if (!stream) return;
    if (!stream.lingering) throw new ProtocolViolation('SETTLED for an invocation whose answer did not linger');
    const message = readResponseEnd(parseJson(payload));
    this.#streams.delete(streamId);
    if (stream.failure) {
      this.#fail(stream, stream.failure);
      return;
    }
    this.#settled(stream);
    stream.resolveDone(this.#measured(stream, message.cpuMicros, message.waitedMs));
  }

  /** The instance's own figures, held to what the host saw pass: a function cannot bill itself less, or more. */
  #measured(stream: Stream, cpuMicros: number, waitedMs = 0): InvocationDone {
    const elapsedMs = performance.now() - stream.sentAt;
    return { cpuMicros: Math.min(cpuMicros, elapsedMs * 1000 * CORES), waitedMs: Math.min(waitedMs, elapsedMs) };
  }

  #onError(streamId: number, payload: Buffer): void {
    const stream = this.#streams.get(streamId);
    if (!stream) return;
    const message = readError(parseJson(payload));
    if (stream.lingering) throw new ProtocolViolation('an error for an invocation that already answered');
    const failure = new InvocationFailure('error', message.message);
    if (message.stack) failure.stack = message.stack;
    if (message.lingers && !stream.headReceived) {
      // The caller gets the failure now; the invocation keeps its slot and deadline until its waitUntil work settles.
      stream.headReceived = true;
      stream.failure = failure;
      this.#linger(stream);
      stream.rejectHead(failure);
      return;
    }
    this.#streams.delete(streamId);
    this.#fail(stream, failure);
  }

  /** An invocation's answer is complete (or failed): its request body and platform calls end. */
  #settled(stream: Stream): void {
    stream.requestWindow.close();
    if (this.#calls.size > 0) this.#endCallsOf(stream.invocationId);
  }

  #fail(stream: Stream, failure: InvocationFailure): void {
    this.#settled(stream);
    if (!stream.headReceived) stream.rejectHead(failure);
    else stream.body?.destroy(failure);
    stream.rejectDone(failure);
  }

  #failAll(exit: SandboxExit): void {
    const reason: StopReason = this.stopReason ?? (exit.outOfMemory
      ? { outcome: 'out-of-memory', message: exit.reason ?? 'the instance ran out of memory' }
      : { outcome: 'crashed', message: `the instance exited unexpectedly (code ${exit.code}, signal ${exit.signal})` });
    this.#failStreams(reason);
    for (const call of this.#calls.values()) {
      call.replyWindow.close();
      call.upload?.destroy(new Error(reason.message));
    }
    this.#calls.clear();
  }

  #failStreams(reason: StopReason): void {
    for (const stream of this.#streams.values()) this.#fail(stream, new InvocationFailure(reason.outcome, reason.message, undefined, reason.code));
    this.#streams.clear();
  }
}
