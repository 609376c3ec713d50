import type { BaseContext } from '../../context.js';
import { queueProducer, type ProducerBinding } from './queue-producer.js';
import { r2Bucket } from './r2-bucket.js';

/** What the Worker's `env` holds besides the function's environment, as read from wrangler's file. */
export interface WorkerBindings {
  /** `[vars]`: strings, or any JSON value. */
  vars?: Readonly<Record<string, unknown>>;
  /** Queue producer bindings by binding name. */
  queues?: Readonly<Record<string, ProducerBinding>>;
  /** R2 bucket bindings by binding name: the Nimbus bucket each one uses. */
  buckets?: Readonly<Record<string, string>>;
}

export type WorkerEnv = Record<string, unknown>;

/** One env per instance: the bindings' clients are the instance's own, and calls carry their invocation on their own. */
const built = new WeakMap<object, WeakMap<WorkerBindings, WorkerEnv>>();

/**
 * The `env` a Worker's handlers get: the function's environment (the app's
 * env and secrets), `[vars]` over it, and the bindings over both.
 */
export function workerEnv(ctx: BaseContext, bindings: WorkerBindings): WorkerEnv {
  let byBindings = built.get(ctx.env);
  if (!byBindings) built.set(ctx.env, (byBindings = new WeakMap()));
  let env = byBindings.get(bindings);
  if (!env) {
    env = { ...ctx.env, ...bindings.vars };
    for (const [name, binding] of Object.entries(bindings.queues ?? {})) env[name] = queueProducer(ctx.queues, binding);
    for (const [name, bucket] of Object.entries(bindings.buckets ?? {})) env[name] = r2Bucket(ctx.blobs, bucket);
    byBindings.set(bindings, env);
  }
  return env;
}
