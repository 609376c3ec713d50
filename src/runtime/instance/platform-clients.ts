import type { BlobInfo, BlobObject, FunctionBlobs, FunctionBudgets, FunctionQueues, QueueSendResult } from '../../sdk/context.js';
import type { HostCaller } from './host-caller.js';

// Each method hands itself to caller.call: a failure's stack then starts at the function's own line, not inside this client.
export function makeQueues(caller: HostCaller): FunctionQueues {
  const queues: FunctionQueues = {
    async send(queue, body, options) {
      const { value } = await caller.call('queues', 'send', [queue, [{ body, ...options }]], undefined, queues.send);
      return (value as QueueSendResult[])[0]!;
    },
    async sendBatch(queue, messages) {
      const { value } = await caller.call('queues', 'send', [queue, messages], undefined, queues.sendBatch);
      return value as QueueSendResult[];
    },
  };
  return queues;
}

export function makeBlobs(caller: HostCaller): FunctionBlobs {
  const blobs: FunctionBlobs = {
    async get(bucket, key) {
      const { value, body } = await caller.call('blobs', 'get', [bucket, key], undefined, blobs.get);
      if (value === null || !body) return null;
      return blobObject(value as BlobInfo, body);
    },
    async head(bucket, key) {
      return (await caller.call('blobs', 'head', [bucket, key], undefined, blobs.head)).value as BlobInfo | null;
    },
    async put(bucket, key, body, options) {
      return (await caller.call('blobs', 'put', [bucket, key, options ?? {}], body, blobs.put)).value as { etag: string; size: number };
    },
    async delete(bucket, key) {
      return (await caller.call('blobs', 'delete', [bucket, key], undefined, blobs.delete)).value as boolean;
    },
    async list(bucket, options) {
      return (await caller.call('blobs', 'list', [bucket, options ?? {}], undefined, blobs.list)).value as Awaited<ReturnType<FunctionBlobs['list']>>;
    },
  };
  return blobs;
}

export function makeBudgets(caller: HostCaller): FunctionBudgets {
  const budgets: FunctionBudgets = {
    async run(budget, fn) {
      if (typeof fn !== 'function') throw new TypeError('ctx.budgets.run(budget, fn): fn must be a function');
      const { value: section } = await caller.call('budgets', 'acquire', [budget], undefined, budgets.run);
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
  return budgets;
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
