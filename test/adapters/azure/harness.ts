/**
 * Runs the definitions an Azure registration becomes, as the instance runs
 * them (handler(payload, ctx)), with a context whose queues and blobs are
 * kept in memory: the conformance suites check shapes, the end-to-end suite
 * (e2e.test.ts) the same wrappers on a real node.
 */
import type { BlobObject, HttpContext } from '../../../src/sdk/context.js';
import type { FunctionDefinition } from '../../../src/sdk/definition.js';
import { clearRegistrations, nimbusFunctions, type AzureAppConfig } from '../../../src/sdk/adapters/azure/index.js';

export interface Recorded {
  sent: { queue: string; body: unknown }[];
  blobs: Map<string, { body: Uint8Array; contentType: string; metadata: Record<string, string> }>;
}

export function fakeContext(params: Record<string, string> = {}, recorded: Recorded = { sent: [], blobs: new Map() }): HttpContext & { recorded: Recorded } {
  const log = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };
  return {
    recorded,
    invocationId: 'inv-1', app: 'azure-app', functionName: 'fn', version: 1,
    signal: new AbortController().signal, deadline: Date.now() + 30_000, env: {}, log, params, waitUntil: () => {}, budgets: { run: async (_budget, fn) => fn() },
    queues: {
      send: async (queue, body) => {
        recorded.sent.push({ queue, body });
        return { id: String(recorded.sent.length), duplicate: false };
      },
      sendBatch: async (queue, messages) => messages.map((m) => {
        recorded.sent.push({ queue, body: m.body });
        return { id: String(recorded.sent.length), duplicate: false };
      }),
    },
    blobs: {
      get: async (bucket, key) => {
        const found = recorded.blobs.get(`${bucket}/${key}`);
        if (!found) return null;
        const copy = (): ArrayBuffer => Uint8Array.from(found.body).buffer;
        const object: BlobObject = {
          bucket, key, size: found.body.byteLength, etag: '"9e107d9d372bb6826bd81d3542a419d6"', contentType: found.contentType,
          metadata: found.metadata, lastModified: Date.UTC(2026, 0, 2, 3, 4, 5),
          body: new Blob([copy()]).stream(), text: async () => Buffer.from(found.body).toString('utf8'),
          arrayBuffer: async () => copy(), json: async <T>() => JSON.parse(Buffer.from(found.body).toString('utf8')) as T,
        };
        return object;
      },
      head: async () => null,
      put: async (bucket, key, body, options) => {
        const bytes = typeof body === 'string' ? Buffer.from(body) : body instanceof ArrayBuffer ? new Uint8Array(body) : (body as Uint8Array);
        recorded.blobs.set(`${bucket}/${key}`, { body: bytes, contentType: options?.contentType ?? 'application/octet-stream', metadata: options?.metadata ?? {} });
        return { etag: '"x"', size: bytes.byteLength };
      },
      delete: async () => false,
      list: async () => ({ objects: [], commonPrefixes: [], nextCursor: null }),
    },
  };
}

/** Registers with `register` (the user's code), then builds the definitions as the generated entry does. */
export function definitionsOf(register: () => void, config: AzureAppConfig = {}): Record<string, FunctionDefinition> {
  clearRegistrations();
  register();
  return nimbusFunctions(config);
}

/** Calls a definition's handler as the instance does. */
export async function invoke(definition: FunctionDefinition | undefined, payload: unknown, ctx: HttpContext): Promise<unknown> {
  if (!definition) throw new Error('no such definition');
  const handler = definition.handler as (payload: unknown, ctx: HttpContext) => unknown;
  return handler(payload, ctx);
}
