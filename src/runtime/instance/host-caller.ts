import { FrameTooLarge, type InstanceChannel } from './channel.js';
import { ReceiveWindow, SendWindow } from './flow-control.js';
import { currentInvocation } from './log-capture.js';
import { FRAME, MAX_CALLS_IN_FLIGHT, STREAM_WINDOW_BYTES, decodeCredit, parseJson, type CallMessage, type ReplyMessage } from './protocol.js';

export interface CallResult {
  value: unknown;
  body: ReadableStream<Uint8Array> | null;
}

interface Pending {
  /** Where the function made the call: the stack of the error the call may fail with. */
  site: CallSite;
  resolve: (result: CallResult) => void;
  reject: (error: Error) => void;
  /** Credit for this call's upload; closed once the host answered. */
  upload: SendWindow;
  /** Where the reply's body frames go, once the reply said there is one. */
  body: { deliver(chunk: Uint8Array): void; end(): void; fail(reason: Error): void } | null;
}

export type CallBody = string | Uint8Array | ArrayBuffer | ReadableStream<Uint8Array>;

/** A platform call failed; `code` is the NIMBUS_ERR_* code the host answered with. */
export class HostCallError extends Error {
  constructor(message: string, readonly code?: string) {
    super(message);
    this.name = 'NimbusError';
  }
}

/** The platform client method the function called: it and the frames above it are left out of a failure's stack. */
export type CallEntry = (...args: never[]) => unknown;

/** The stack of a platform call's caller, captured when it called. */
interface CallSite {
  stack?: string;
}

/**
 * Where the function made a platform call. The reply is read later, in a
 * socket callback with none of the function's frames on the stack, so the
 * stack a failure shows must be taken now. captureStackTrace keeps V8's raw
 * frames only; formatting them (and mapping them to the app's sources) waits
 * until a failure reads `.stack`. So one capture per call, on every call:
 * measured 2.5-5 µs (10 frames, on a busy 2-core machine) against 80-250 µs
 * for the round trip of the cheapest call, ctx.blobs.head: about 2%, within
 * the round trip's own run-to-run spread.
 */
function callSite(entry: CallEntry): CallSite {
  const site: CallSite = {};
  Error.captureStackTrace(site, entry);
  return site;
}

/** A failed call's error, with the stack of the function's call rather than of the reply being read. */
function callFailure(site: CallSite, message: string, code?: string): HostCallError {
  const error = new HostCallError(message, code);
  // The site's own header is a bare `Error` line (it is not an error): its frames follow the first newline.
  // A function's own Error.prepareStackTrace may make the stack anything but a string.
  const stack = typeof site.stack === 'string' ? site.stack : '';
  const newline = stack.indexOf('\n');
  // No frames (the entry was not on the stack, say the function replaced a client method): the error's own stack beats none.
  if (newline !== -1) error.stack = `${error.name}: ${error.message}${stack.slice(newline)}`;
  return error;
}

/**
 * The instance's side of host calls: ctx.queues and ctx.blobs go through
 * here. At most MAX_CALLS_IN_FLIGHT are open at once (the host refuses more);
 * later ones wait their turn here, so a fan-out of thousands of sends works.
 */
export class HostCaller {
  #next = 1;
  readonly #pending = new Map<number, Pending>();
  #open = 0;
  readonly #turns: (() => void)[] = [];

  constructor(private readonly channel: InstanceChannel) {}

  /** `entry` is the platform client method the function called, for the stack of a failure. */
  async call(service: string, method: string, args: unknown[], body?: CallBody, entry: CallEntry = this.call): Promise<CallResult> {
    // Before any await: only now is the function's caller on the stack.
    const site = callSite(entry);
    if (this.#open >= MAX_CALLS_IN_FLIGHT) await new Promise<void>((resolve) => this.#turns.push(resolve));
    this.#open++;
    try {
      return await this.#call(site, service, method, args, body);
    } finally {
      this.#open--;
      this.#turns.shift()?.();
    }
  }

  async #call(site: CallSite, service: string, method: string, args: unknown[], body?: CallBody): Promise<CallResult> {
    const id = this.#next++;
    const message: CallMessage = { service, method, args, inv: currentInvocation.getStore() ?? null, hasBody: body !== undefined };
    const upload = new SendWindow();
    const result = new Promise<CallResult>((resolve, reject) => this.#pending.set(id, { site, resolve, reject, upload, body: null }));
    try {
      this.channel.sendJson(FRAME.CALL, id, message);
    } catch (err) {
      this.#pending.delete(id);
      if (err instanceof FrameTooLarge) throw callFailure(site, `${service}.${method}: ${err.message}; send less per call`, 'NIMBUS_ERR_BODY_TOO_LARGE');
      throw err;
    }
    if (body !== undefined) await this.#upload(id, upload, body);
    return result;
  }

  /** Streams a call's body to the host within its credit; stops when the host has already answered. */
  async #upload(id: number, window: SendWindow, body: CallBody): Promise<void> {
    try {
      if (body instanceof ReadableStream) {
        for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
          if (!(await this.channel.sendBody(FRAME.CALL_BODY, id, window, chunk))) return;
        }
      } else {
        const bytes = typeof body === 'string' ? Buffer.from(body) : body instanceof ArrayBuffer ? new Uint8Array(body) : body;
        if (!(await this.channel.sendBody(FRAME.CALL_BODY, id, window, bytes))) return;
      }
      if (!window.closed) this.channel.send(FRAME.CALL_END, id);
    } catch (err) {
      // The function's own stream failed: the host must not store a cut-off upload as whole.
      if (!window.closed) this.channel.send(FRAME.CALL_ABORT, id);
      const pending = this.#pending.get(id);
      this.#pending.delete(id);
      pending?.reject(err instanceof Error ? err : new Error(String(err)));
    }
  }

  /** Frames of replies; returns false for frames that aren't replies. */
  onFrame(type: number, stream: number, payload: Buffer): boolean {
    const pending = this.#pending.get(stream);
    switch (type) {
      case FRAME.REPLY: {
        if (!pending) return true;
        pending.upload.close();
        const reply = parseJson<ReplyMessage>(payload);
        if (!reply.ok) {
          this.#pending.delete(stream);
          pending.reject(callFailure(pending.site, reply.error.message, reply.error.code));
        } else if (!reply.hasBody) {
          this.#pending.delete(stream);
          pending.resolve({ value: reply.value, body: null });
        } else {
          pending.resolve({ value: reply.value, body: this.#download(stream, pending) });
        }
        return true;
      }
      case FRAME.REPLY_BODY:
        pending?.body?.deliver(new Uint8Array(payload));
        return true;
      case FRAME.REPLY_END:
        pending?.body?.end();
        this.#pending.delete(stream);
        return true;
      case FRAME.CALL_ABORT:
        // The host gave up on the call (its invocation ended, or the download failed): a cut-off body is an error, never an end.
        pending?.upload.close();
        if (pending?.body) pending.body.fail(callFailure(pending.site, 'the platform call was cut off before its body ended (a download ends with its invocation)'));
        this.#pending.delete(stream);
        return true;
      case FRAME.CALL_CREDIT:
        pending?.upload.grant(decodeCredit(payload));
        return true;
      default:
        return false;
    }
  }

  /** A reply's body as a stream that takes a window at a time: credit goes back as the function reads. */
  #download(id: number, pending: Pending): ReadableStream<Uint8Array> {
    const window = new ReceiveWindow();
    let enqueued = 0;
    return new ReadableStream<Uint8Array>({
      start: (controller) => {
        pending.body = {
          deliver: (chunk) => {
            window.receive(chunk.byteLength);
            enqueued += chunk.byteLength;
            controller.enqueue(chunk);
          },
          end: () => controller.close(),
          fail: (reason) => controller.error(reason),
        };
      },
      pull: (controller) => {
        const queued = STREAM_WINDOW_BYTES - (controller.desiredSize ?? 0);
        const credit = window.consumedUpTo(enqueued - queued);
        if (credit > 0) this.channel.sendCredit(FRAME.REPLY_CREDIT, id, credit);
      },
      cancel: () => {
        // Not wanted any more: the host stops reading the blob and closes the call.
        if (this.#pending.delete(id)) this.channel.send(FRAME.CALL_ABORT, id);
      },
    }, { highWaterMark: STREAM_WINDOW_BYTES, size: (chunk) => chunk.byteLength });
  }
}
