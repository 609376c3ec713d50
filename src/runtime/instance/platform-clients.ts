import type { BlobInfo, BlobObject, FunctionBlobs, FunctionBudgets, FunctionQueues, QueueSendResult } from '../../sdk/context.js';
import type { HostCaller } from './host-caller.js';

export function makeQueues(caller: HostCaller): FunctionQueues {
  return {
    async send(queue, body, options) {
      const { value } = await caller.call('queues', 'send', [queue, [{ body, ...options }]]);
      return (value as QueueSendResult[])[0]!;
    },
    async sendBatch(queue, messages) {
      const { value } = await caller.call('queues', 'send', [queue, messages]);
      return value as QueueSendResult[];
    },
  };
}

export function makeBlobs(caller: HostCaller): FunctionBlobs {
  return {
    async get(bucket, key) {
      const { value, body } = await caller.call('blobs', 'get', [bucket, key]);
      if (value === null || !body) return null;
      return blobObject(value as BlobInfo, body);
    },
    async head(bucket, key) {
      return (await caller.call('blobs', 'head', [bucket, key])).value as BlobInfo | null;
    },
    async put(bucket, key, body, options) {
      return (await caller.call('blobs', 'put', [bucket, key, options ?? {}], body)).value as { etag: string; size: number };
    },
    async delete(bucket, key) {
      return (await caller.call('blobs', 'delete', [bucket, key])).value as boolean;
    },
    async list(bucket, options) {
      return (await caller.call('blobs', 'list', [bucket, options ?? {}])).value as Awaited<ReturnType<FunctionBlobs['list']>>;
    },
  };
}

export function makeBudgets(caller: HostCaller): FunctionBudgets {
  return {
    async run(budget, fn) {
      if (typeof fn !== 'function') throw new TypeError('ctx.budgets.run(budget, fn): fn must be a function');
      const { value: section } = await caller.call('budgets', 'acquire', [budget]);
      let ok = false;
      try {
        const result = await fn();
        ok = true;
        return result;
      } finally {
        // Not awaited: the release reaches the host before anything the handler sends after it (one ordered channel).
        caller.call('budgets', 'release', [section, ok]).catch(() => {});
      }
    },
  };
}

function blobObject(info: BlobInfo, body: ReadableStream<Uint8Array>): BlobObject {
  const response = () => new Response(body);
  return {
    ...info,
    body,
    text: () => response().text(),
    arrayBuffer: () => response().arrayBuffer(),
    json: <T>() => response().json() as Promise<T>,
  };
}
