import { z } from 'zod';
import { functionSettingsSchema } from '../function-settings.js';
import { parseRoute } from './route.js';

export const httpSettingsSchema = functionSettingsSchema.extend({
  route: z.string().optional().superRefine((value, ctx) => {
    if (value === undefined) return;
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
