import type { AdminResult } from '../gateway/admin-result.js';
import { NimbusError } from '../shared/errors.js';

/** The 400 answer for a bad query parameter, naming the field. */

export function queryInvalid(field: string, detail: string): AdminResult {
  const error = new NimbusError('NIMBUS_ERR_QUERY_INVALID', `${field}: ${detail}`, { field });
  return { status: error.status, body: error.toJSON() };
}

/** Reads an optional positive integer parameter within bounds. */
export function readLimit(
  query: URLSearchParams,
  field: string,
  fallback: number,
  max: number,
): { ok: true; value: number } | { ok: false; answer: AdminResult } {
  const raw = query.get(field);
  if (raw === null || raw === '') return { ok: true, value: fallback };
  if (!/^\d+$/.test(raw) || Number(raw) < 1 || Number(raw) > max) {
    return { ok: false, answer: queryInvalid(field, `must be a whole number from 1 to ${max}, got "${raw}"`) };
  }
  return { ok: true, value: Number(raw) };
}

const NAME = /^[A-Za-z_$][\w$-]{0,127}$/;

/** App and function names: checked loosely (the deploy rules are stricter) so a typo answers 400, not an empty list. */
export function readName(
  query: URLSearchParams,
  field: string,
): { ok: true; value: string | undefined } | { ok: false; answer: AdminResult } {
  const raw = query.get(field);
  if (raw === null || raw === '') return { ok: true, value: undefined };
  if (!NAME.test(raw)) return { ok: false, answer: queryInvalid(field, `"${raw}" is not an app or function name`) };
  return { ok: true, value: raw };
}
