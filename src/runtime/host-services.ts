import type { Readable } from 'node:stream';

/** One call a function made through ctx.queues / ctx.blobs, as the host receives it. */
export interface HostCall {
  app: string;
  functionName: string;
  version: number;
  invocationId: string | null;
  /** The invocation is still running on the calling instance (a call can arrive after it ended). */
  invocationRunning?: boolean;
  service: string;
  method: string;
  args: unknown[];
  /** Streamed upload (ctx.blobs.put with a stream or bytes), if any. */
  body: Readable | null;
}

export interface HostReply {
  value: unknown;
  /** Streamed download (ctx.blobs.get), if any. */
  body?: Readable;
}

/**
 * Platform services reachable from inside a sandbox over the instance's own
 * channel: functions need no network path (or key) back to the node.
 * Throw a NimbusError to answer with its code and message.
 */
export type HostServices = (call: HostCall) => Promise<HostReply>;
