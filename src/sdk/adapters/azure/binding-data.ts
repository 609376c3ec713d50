/**
 * Extra inputs and outputs on Nimbus's own storage: `input.storageBlob`
 * reads a blob before the handler runs; `output.storageQueue` and
 * `output.storageBlob` (set with `context.extraOutputs.set`, or as the
 * function's `return`) are written after it succeeds, as Azure writes
 * output bindings. Paths and queue names may hold binding expressions
 * (`{name}`, `{id}`, `{rand-guid}`, `{DateTime}`), read from the trigger's
 * metadata or route parameters.
 */
import { randomUUID } from 'node:crypto';
import { getHeapStatistics } from 'node:v8';
import type { BaseContext, BlobObject } from '../../context.js';
import type { FunctionOutput } from './bindings.js';
import type { InvocationContext } from './invocation-context.js';
import type { Registration } from './app.js';

export type BindingData = Readonly<Record<string, unknown>>;

export function resolveExpression(template: string, data: BindingData): string {
  return template.replace(/\{([^{}]+)\}/g, (_, expression: string) => {
    const key = expression.trim();
    if (key.toLowerCase() === 'rand-guid') return randomUUID();
    if (key.toLowerCase() === 'datetime') return new Date().toISOString().replace(/:/g, '-').replace(/\.\d+Z$/, 'Z');
    const value = lookup(data, key.split('.'));
    if (value === undefined || value === null || typeof value === 'object') throw new Error(`the binding expression {${key}} has no value in this invocation`);
    return String(value);
  });
}

/** Binding data names are case-insensitive on Azure. */
function lookup(data: unknown, path: string[]): unknown {
  let current: unknown = data;
  for (const part of path) {
    if (typeof current !== 'object' || current === null) return undefined;
    const key = Object.keys(current).find((k) => k.toLowerCase() === part.toLowerCase());
    current = key === undefined ? undefined : (current as Record<string, unknown>)[key];
  }
  return current;
}

function splitBlobPath(path: string): { bucket: string; key: string } {
  const slash = path.indexOf('/');
  if (slash <= 0 || slash === path.length - 1) throw new Error(`the blob path "${path}" must be "container/blob"`);
  return { bucket: path.slice(0, slash), key: path.slice(slash + 1) };
}

export async function readExtraInputs(registration: Registration, context: InvocationContext, ctx: BaseContext, data: BindingData): Promise<void> {
  for (const input of registration.extraInputs) {
    if (input.type !== 'blob') throw new Error(`the ${input.type} input binding is not supported on Nimbus`);
    const { bucket, key } = splitBlobPath(resolveExpression(String(input['path']), data));
    const found = await ctx.blobs.get(bucket, key);
    context.extraInputs.set(input, found ? await wholeBlob(found, `${bucket}/${key}`) : null);
  }
}

/** Writes every output that was given a value; the HTTP output is the caller's to send. */
export async function writeOutputs(registration: Registration, context: InvocationContext, result: unknown, ctx: BaseContext, data: BindingData): Promise<void> {
  const outputs: [FunctionOutput, unknown][] = registration.extraOutputs.map((o) => [o, context.extraOutputs.get(o)]);
  if (registration.return) outputs.push([registration.return, result]);
  for (const [binding, value] of outputs) {
    if (value === undefined || binding.type === 'http') continue;
    if (binding.type === 'queue') {
      const queue = resolveExpression(String(binding['queueName']), data);
      if (Array.isArray(value)) await ctx.queues.sendBatch(queue, value.map((body: unknown) => ({ body })));
      else await ctx.queues.send(queue, value);
    } else if (binding.type === 'blob') {
      const { bucket, key } = splitBlobPath(resolveExpression(String(binding['path']), data));
      await ctx.blobs.put(bucket, key, blobBody(value));
    } else {
      throw new Error(`the ${binding.type} output binding is not supported on Nimbus`);
    }
  }
}

function blobBody(value: unknown): string | Uint8Array | ArrayBuffer {
  if (typeof value === 'string' || value instanceof Uint8Array || value instanceof ArrayBuffer) return value;
  return JSON.stringify(value);
}

/** The HTTP answer: the `return` when it is the HTTP output (the default), else the HTTP output set with extraOutputs. */
export function httpResult(registration: Registration, context: InvocationContext, result: unknown): unknown {
  if (!registration.return || registration.return.type === 'http') return result;
  const http = registration.extraOutputs.find((o) => o.type === 'http');
  return http ? context.extraOutputs.get(http) : undefined;
}

/**
 * A blob's bytes in one Buffer, as Azure's blob bindings hand them over. Refused with a
 * clear error above half the instance's heap limit: reading it would only end in the
 * instance running out of memory, retried until the event is dead-lettered.
 */
export async function wholeBlob(found: BlobObject, name: string): Promise<Buffer> {
  const limit = Math.floor(getHeapStatistics().heap_size_limit / 2);
  if (found.size > limit) {
    throw new Error(`blob ${name} is ${found.size} bytes: an Azure blob binding reads it whole, and this function's memory allows at most ${limit}; give it more memory (memoryMb) or read the blob as a stream with ctx.blobs.get`);
  }
  return Buffer.from(await found.arrayBuffer());
}
