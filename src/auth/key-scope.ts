import { z } from 'zod';
import { BUCKET_NAME_PATTERN } from '../blobs/blob-names.js';
import type { KeyScope } from '../store/key-store.js';
import { parseBody } from './body-schema.js';
import { APP_NAME } from './names.js';

/** Functions are named by their export name, so a JavaScript identifier. */
const FUNCTION_NAME = /^[A-Za-z_$][A-Za-z0-9_$]{0,127}$/;
const QUEUE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
/** A producer key names its queues explicitly; a long list is a sign of a missing admin key. */
export const MAX_PRODUCER_QUEUES = 100;
/** A blobs key names its buckets explicitly, like a producer key its queues. */
export const MAX_KEY_BUCKETS = 100;

export const keyScopeSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('function'),
    app: z.string().regex(APP_NAME, 'an app name: lower-case letters, digits and dashes, starting with a letter'),
    fn: z.string().regex(FUNCTION_NAME, 'a function (export) name').optional(),
  }),
  z.strictObject({
    kind: z.literal('producer'),
    queues: z.array(z.string().regex(QUEUE_NAME, 'a queue name')).min(1).max(MAX_PRODUCER_QUEUES),
  }),
  z.strictObject({
    kind: z.literal('blobs'),
    buckets: z
      .array(z.string().regex(BUCKET_NAME_PATTERN, 'a bucket name').refine((name) => !name.includes('..'), 'a bucket name (no "..")'))
      .min(1)
      .max(MAX_KEY_BUCKETS),
    access: z.enum(['read', 'write']),
  }),
  z.strictObject({ kind: z.literal('admin') }),
  z.strictObject({ kind: z.literal('read') }),
]);

/** Validates a scope from outside (admin API body); throws a 400 naming the field. */
export function parseKeyScope(input: unknown, field = 'scope'): KeyScope {
  const scope = parseBody(keyScopeSchema, input, field);
  if (scope.kind === 'function') return scope.fn === undefined ? { kind: 'function', app: scope.app } : { kind: 'function', app: scope.app, fn: scope.fn };
  if (scope.kind === 'producer') return { kind: 'producer', queues: [...new Set(scope.queues)] };
  if (scope.kind === 'blobs') return { kind: 'blobs', buckets: [...new Set(scope.buckets)], access: scope.access };
  return scope.kind === 'read' ? { kind: 'read' } : { kind: 'admin' };
}
