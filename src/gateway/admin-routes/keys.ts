import { z } from 'zod';
import { adminRoute } from '../admin-route.js';
import { epochMs, nextCursor, pageQuery } from './common.js';

/** `scope` is checked by parseKeyScope, whose messages name the field inside it. */
export const createKeyBody = z.strictObject({ scope: z.unknown(), label: z.string().optional() });

/** What a key may do (src/store/key-store.ts KeyScope). */
export const keyScope = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('function'), app: z.string(), fn: z.string().optional() }),
  z.object({ kind: z.literal('producer'), queues: z.array(z.string()) }),
  z.object({ kind: z.literal('blobs'), buckets: z.array(z.string()), access: z.enum(['read', 'write']) }),
  z.object({ kind: z.literal('admin') }),
  z.object({ kind: z.literal('read') }),
]);
const keyInfo = z.object({ id: z.string(), scope: keyScope, label: z.string().nullable(), createdAt: epochMs, lastUsedAt: epochMs.nullable() });

export const keyRoutes = {
  list: adminRoute({
    method: 'GET', path: '/keys', summary: 'API keys, newest first (never their material)', query: { app: 'only keys scoped to this app', ...pageQuery },
    response: z.object({ keys: z.array(keyInfo), nextCursor }),
  }),
  create: adminRoute({
    method: 'POST', path: '/keys', summary: 'Create a key: {scope, label?}; the answer is the only time the key is shown',
    body: createKeyBody, response: keyInfo.extend({ key: z.string() }), statuses: [201],
  }),
  revoke: adminRoute({ method: 'DELETE', path: '/keys/:id', summary: 'Revoke a key', response: null }),
};
