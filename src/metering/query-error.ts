/**
 * The 400 answer for a bad query parameter, shaped like every Nimbus error
 * body and naming the field. NIMBUS_ERR_QUERY_INVALID is to be added to the
 * shared error table; until then it is spelled here.
 */
export const QUERY_INVALID_CODE = 'NIMBUS_ERR_QUERY_INVALID';
export const QUERY_INVALID_STATUS = 400;

export interface ApiAnswer {
  status: number;
  body: unknown;
}

export function queryInvalid(field: string, detail: string): ApiAnswer {
  return {
    status: QUERY_INVALID_STATUS,
    body: { error: { code: QUERY_INVALID_CODE, message: `a query parameter is not valid: ${field}: ${detail}`, field } },
  };
}

/** Reads an optional positive integer parameter within bounds. */
export function readLimit(
  query: URLSearchParams,
  field: string,
  fallback: number,
  max: number,
): { ok: true; value: number } | { ok: false; answer: ApiAnswer } {
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
): { ok: true; value: string | undefined } | { ok: false; answer: ApiAnswer } {
  const raw = query.get(field);
  if (raw === null || raw === '') return { ok: true, value: undefined };
  if (!NAME.test(raw)) return { ok: false, answer: queryInvalid(field, `"${raw}" is not an app or function name`) };
  return { ok: true, value: raw };
}
