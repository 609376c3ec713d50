import type { InstanceChannel } from './channel.js';
import { currentInvocation } from './log-capture.js';
import { FRAME, parseJson, type CallMessage, type ReplyMessage } from './protocol.js';

export interface CallResult {
  value: unknown;
  body: ReadableStream<Uint8Array> | null;
}

interface Pending {
  resolve: (result: CallResult) => void;
  reject: (error: Error) => void;
  body: ReadableStreamDefaultController<Uint8Array> | null;
}

export type CallBody = string | Uint8Array | ArrayBuffer | ReadableStream<Uint8Array>;

/** A platform call failed; `code` is the NIMBUS_ERR_* code the host answered with. */
export class HostCallError extends Error {
  constructor(message: string, readonly code?: string) {
    super(message);
    this.name = 'NimbusError';
  }
}

/** The instance's side of host calls: ctx.queues and ctx.blobs go through here. */
export class HostCaller {
  #next = 1;
  readonly #pending = new Map<number, Pending>();

  constructor(private readonly channel: InstanceChannel) {}

  async call(service: string, method: string, args: unknown[], body?: CallBody): Promise<CallResult> {
    const id = this.#next++;
    const message: CallMessage = { service, method, args, inv: currentInvocation.getStore() ?? null, hasBody: body !== undefined };
    const result = new Promise<CallResult>((resolve, reject) => this.#pending.set(id, { resolve, reject, body: null }));
    this.channel.sendJson(FRAME.CALL, id, message);
    if (body !== undefined) {
      if (body instanceof ReadableStream) {
        for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
          if (!this.channel.sendBody(id, chunk, FRAME.CALL_BODY)) await this.channel.drained();
        }
      } else {
        const bytes = typeof body === 'string' ? Buffer.from(body) : body instanceof ArrayBuffer ? new Uint8Array(body) : body;
        this.channel.sendBody(id, bytes, FRAME.CALL_BODY);
      }
      this.channel.send(FRAME.CALL_END, id);
    }
    return result;
  }

  /** Frames of replies; returns false for frames that aren't replies. */
  onFrame(type: number, stream: number, payload: Buffer): boolean {
    const pending = this.#pending.get(stream);
    switch (type) {
      case FRAME.REPLY: {
        if (!pending) return true;
        const reply = parseJson<ReplyMessage>(payload);
        if (!reply.ok) {
          this.#pending.delete(stream);
          pending.reject(new HostCallError(reply.error.message, reply.error.code));
        } else if (!reply.hasBody) {
          this.#pending.delete(stream);
          pending.resolve({ value: reply.value, body: null });
        } else {
          const body = new ReadableStream<Uint8Array>({ start: (controller) => { pending.body = controller; } });
          pending.resolve({ value: reply.value, body });
        }
        return true;
      }
      case FRAME.REPLY_BODY:
        pending?.body?.enqueue(new Uint8Array(payload));
        return true;
      case FRAME.REPLY_END:
        pending?.body?.close();
        this.#pending.delete(stream);
        return true;
      default:
        return false;
    }
  }
}
