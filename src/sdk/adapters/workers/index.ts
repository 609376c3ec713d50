/**
 * Cloudflare Workers (modules syntax) on Nimbus: the runtime side of
 * `nimbus deploy --format workers`. A generated entry imports the Worker
 * unchanged and wraps its handlers with these; see docs/adapters-workers.md.
 */
export { fetchHandler, queueHandler, scheduledHandler, type FetchOptions } from './handlers.js';
export { workerOf, type ExportedHandler } from './worker-module.js';
export type { WorkerBindings, WorkerEnv } from './worker-env.js';
export type { ExecutionContext } from './execution-context.js';
export type { Message, MessageBatch, QueueRetryOptions } from './message-batch.js';
export type { ScheduledController } from './scheduled-controller.js';
export type { Queue, QueueSendOptions, MessageSendRequest, ProducerBinding } from './queue-producer.js';
export type { R2Bucket, R2Object, R2ObjectBody, R2Objects, R2ListOptions, R2PutOptions } from './r2-bucket.js';
export type { R2HTTPMetadata } from './r2-metadata.js';
