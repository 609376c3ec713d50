import { z } from 'zod';
import { adminRoute } from '../admin-route.js';
import { epochMs, nextCursor, pageQuery } from './common.js';

export const putSecretBody = z.strictObject({ value: z.string() });
const secretInfo = z.looseObject({ name: z.string(), createdAt: epochMs, updatedAt: epochMs });

export const secretRoutes = {
  list: adminRoute({
    method: 'GET', path: '/apps/:app/secrets', summary: 'App secrets by name (names only; values are write-only)', query: pageQuery,
    response: z.object({ secrets: z.array(secretInfo), nextCursor }),
  }),
  set: adminRoute({
    method: 'PUT', path: '/apps/:app/secrets/:name', summary: 'Set one secret: {value}',
    body: putSecretBody, response: z.object({ secret: secretInfo }),
  }),
  remove: adminRoute({ method: 'DELETE', path: '/apps/:app/secrets/:name', summary: 'Remove one secret', response: null }),
};
