import { z } from 'zod';
import { functionSettingsSchema } from '../function-settings.js';
import { parseRoute } from './route.js';

/** Longer than any URL a browser or proxy passes on; every request walks the routes' segments. */
export const MAX_ROUTE_LENGTH = 2048;

export const httpSettingsSchema = functionSettingsSchema.extend({
  route: z.string().max(MAX_ROUTE_LENGTH).optional().superRefine((value, ctx) => {
    // Too long is max()'s to report; parseRoute would echo the whole of it.
    if (value === undefined || value.length > MAX_ROUTE_LENGTH) return;
    try {
      parseRoute(value);
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: (err as Error).message });
    }
  }),
  auth: z.enum(['anonymous', 'key', 'admin']).optional(),
}).strict();

/** What the HTTP trigger keeps of a definition beyond the shared settings. */
export interface HttpTriggerConfig {
  route: string | null;
  auth: 'anonymous' | 'key' | 'admin';
}

export function httpTriggerConfig(settings: z.infer<typeof httpSettingsSchema>): HttpTriggerConfig {
  return { route: settings.route ?? null, auth: settings.auth ?? 'anonymous' };
}
