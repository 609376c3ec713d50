import type { LogQuery } from '../store/log-store.js';

/**
 * How much of an invocation id a printed log line shows (`nimbus logs`, `nimbus dev`): its last characters, which
 * are random (the first ones are the time it was made), so they tell apart the invocations of one app in practice.
 * The fewest characters the logs endpoint takes as the end of an id: fewer would pick many invocations.
 */
export const SHORT_INVOCATION_ID_LENGTH = 8;
/** A whole id: a UUID, 8-4-4-4-12 hex digits. */
const WHOLE_INVOCATION_ID_LENGTH = 36;
const INVOCATION_ID_CHARACTERS = /^[0-9a-f-]+$/;

/** The part of a log query that picks invocations: a whole id (served by an index) or the end of one. */
export type InvocationFilter = Pick<LogQuery, 'invocationId' | 'invocationIdEndsWith'>;

/**
 * The `invocation` parameter of a log query: a whole id, or its last 8 or more characters as a log line shows them.
 * Letter case is ignored (ids are made in lower case). Anything an id cannot end with is refused, so a mistyped id
 * says so instead of finding no lines.
 */
export function readInvocationFilter(raw: string): { ok: true; filter: InvocationFilter } | { ok: false; detail: string } {
  if (raw.length > WHOLE_INVOCATION_ID_LENGTH) return { ok: false, detail: `is longer than an invocation id (${WHOLE_INVOCATION_ID_LENGTH} characters)` };
  const value = raw.toLowerCase();
  if (!INVOCATION_ID_CHARACTERS.test(value)) {
    return { ok: false, detail: `"${raw}" is not an invocation id: ids are hex digits and dashes` };
  }
  if (value.length < SHORT_INVOCATION_ID_LENGTH) {
    return { ok: false, detail: `"${raw}" is too short: give the whole invocation id or at least its last ${SHORT_INVOCATION_ID_LENGTH} characters` };
  }
  return { ok: true, filter: value.length === WHOLE_INVOCATION_ID_LENGTH ? { invocationId: value } : { invocationIdEndsWith: value } };
}

/** Whether a line of this invocation passes the filter: what the stores' queries do, for lines a live tail is handed. */
export function invocationMatches(filter: InvocationFilter, invocationId: string | null): boolean {
  if (filter.invocationId !== undefined && invocationId !== filter.invocationId) return false;
  if (filter.invocationIdEndsWith !== undefined && !invocationId?.endsWith(filter.invocationIdEndsWith)) return false;
  return true;
}
