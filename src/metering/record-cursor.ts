import type { Outcome } from '../runtime/invocation.js';
import type { RecordPosition } from '../store/metering-store.js';
import { FAILING_OUTCOMES } from './minute-rollups.js';
import { OUTCOMES } from './record-columns.js';

const CURSOR_VERSION = 1;

/** `/invocation-records`' `before`: a record's position, opaque to clients. */
export function encodeRecordCursor(position: RecordPosition): string {
  return Buffer.from(JSON.stringify([CURSOR_VERSION, position.batch, position.fromEnd])).toString('base64url');
}

/** The position a cursor names; undefined when it is not one this API gave out. */
export function decodeRecordCursor(cursor: string): RecordPosition | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  if (!Array.isArray(parsed) || parsed.length !== 3 || parsed[0] !== CURSOR_VERSION) return undefined;
  const [, batch, fromEnd] = parsed as unknown[];
  if (!Number.isSafeInteger(batch) || !Number.isSafeInteger(fromEnd) || (fromEnd as number) < 0) return undefined;
  return { batch: batch as number, fromEnd: fromEnd as number };
}

/** The outcomes an `outcome` filter stands for: `ok`, `failed` (every other one) or one outcome; undefined for anything else. */
export function outcomesOf(filter: string): readonly Outcome[] | undefined {
  if (filter === 'failed') return FAILING_OUTCOMES;
  return OUTCOMES.includes(filter as Outcome) ? [filter as Outcome] : undefined;
}

export const OUTCOME_FILTERS: readonly string[] = [...OUTCOMES, 'failed'];
