/**
 * The authoring API: `import { http, queue, blob, timer } from 'nimbus-functions'`.
 * Each call only describes a function; the platform reads these descriptions
 * from the deployed bundle and runs the handlers in sandboxed instances.
 */
import {
  DEFINITION_MARK,
  type BlobDefinition, type BlobHandler, type BlobSettings,
  type HttpDefinition, type HttpHandler, type HttpSettings,
  type QueueDefinition, type QueueHandler, type QueueSettings,
  type TimerDefinition, type TimerHandler, type TimerSettings,
} from './definition.js';

export function http(settings: HttpSettings | string, handler: HttpHandler): HttpDefinition {
  const resolved = typeof settings === 'string' ? { route: settings } : settings;
  return { [DEFINITION_MARK]: true, kind: 'http', settings: resolved, handler };
}

/**
 * A queue function. Its message type is `T`, given (`queue<Order>(…)`) or read
 * from the handler's annotation (`async (batch: QueueBatch<Order>) => …`); in
 * the second form the definition's type also keeps the queue's name, so a
 * producer typed by the definition (`NimbusClient.queueFor`) cannot misspell it.
 */
export function queue<T = unknown, Q extends string = string>(settings: QueueSettings & { queue: Q }, handler: QueueHandler<T>): QueueDefinition<T, Q> {
  return { [DEFINITION_MARK]: true, kind: 'queue', settings, handler: handler as QueueHandler };
}

export function blob(settings: BlobSettings, handler: BlobHandler): BlobDefinition {
  return { [DEFINITION_MARK]: true, kind: 'blob', settings, handler };
}

export function timer(settings: TimerSettings, handler: TimerHandler): TimerDefinition {
  return { [DEFINITION_MARK]: true, kind: 'timer', settings, handler };
}

export * from './definition.js';
export type * from './context.js';
export type * from './settings.js';
