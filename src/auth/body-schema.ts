import type { z } from 'zod';
import { NimbusError } from '../shared/errors.js';

/** Parses an admin API body; a failure names the first field that is wrong (a 400). */
export function parseBody<T>(schema: z.ZodType<T>, body: unknown, prefix = ''): T {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = [prefix, ...(issue?.path ?? []).map(String)].filter((part) => part !== '').join('.') || 'body';
  throw new NimbusError('NIMBUS_ERR_BODY_INVALID', `${field}: ${issue?.message ?? 'invalid'}`, { field });
}
