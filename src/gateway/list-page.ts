import { NimbusError } from '../shared/errors.js';
import { MAX_PAGE_LIMIT } from './admin-routes/common.js';

/** Where an item sits in a list's order: its sort key, e.g. `[name]` or `[createdAt, id]`. */
export type ListPosition = readonly (string | number)[];

/** How a list is ordered, so a page can start after a position whose item has since gone. */
export interface ListOrder<T> {
  position(item: T): ListPosition;
  /** Negative when `a` comes before `b` in the list. */
  compare(a: ListPosition, b: ListPosition): number;
  /** The type of each part of a position, to check a cursor that came from outside. */
  shape: readonly ('string' | 'number')[];
}

/** What a list request asked for: `limit` absent is the whole list (as before lists paged). */
export interface PageQuery {
  limit: number | null;
  after: ListPosition | null;
}

export interface ListPage<T> {
  items: T[];
  /** The `cursor` of the next page; null at the end (and whenever no limit was given). */
  nextCursor: string | null;
}


const CURSOR_VERSION = 1;

/** Reads `limit` and `cursor`; a bad one is a 400 naming the field. */
export function readPageQuery<T>(query: URLSearchParams, order: ListOrder<T>): PageQuery {
  const rawLimit = query.get('limit');
  let limit: number | null = null;
  if (rawLimit !== null && rawLimit !== '') {
    if (!/^\d{1,4}$/.test(rawLimit) || Number(rawLimit) < 1 || Number(rawLimit) > MAX_PAGE_LIMIT) {
      throw queryInvalid('limit', `must be a whole number from 1 to ${MAX_PAGE_LIMIT}, got "${rawLimit}"`);
    }
    limit = Number(rawLimit);
  }
  const rawCursor = query.get('cursor');
  const after = rawCursor === null || rawCursor === '' ? null : decodeCursor(rawCursor, order);
  return { limit, after };
}

/** One page of a list already in `order`: the items after the cursor's position, at most `limit`. */
export function pageOf<T>(items: readonly T[], page: PageQuery, order: ListOrder<T>): ListPage<T> {
  const after = page.after;
  const start = after === null ? 0 : firstAfter(items, after, order);
  const end = page.limit === null ? items.length : Math.min(items.length, start + page.limit);
  const taken = items.slice(start, end);
  const last = taken.at(-1);
  return { items: taken, nextCursor: end < items.length && last !== undefined ? encodeCursor(order.position(last)) : null };
}

/** Names ascending, by code unit (as the stores' binary collation orders them). */
export function byName<T>(nameOf: (item: T) => string): ListOrder<T> {
  return { position: (item) => [nameOf(item)], compare: compareParts, shape: ['string'] };
}

/** Positions compared part by part, each ascending. */
export function compareParts(a: ListPosition, b: ListPosition): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x < y) return -1;
    if (x > y) return 1;
  }
  return a.length - b.length;
}

function firstAfter<T>(items: readonly T[], after: ListPosition, order: ListOrder<T>): number {
  // Lists here are in memory and short enough to scan; a binary search would assume the order is strict.
  const index = items.findIndex((item) => order.compare(order.position(item), after) > 0);
  return index === -1 ? items.length : index;
}

function encodeCursor(position: ListPosition): string {
  return Buffer.from(JSON.stringify([CURSOR_VERSION, ...position])).toString('base64url');
}

function decodeCursor<T>(cursor: string, order: ListOrder<T>): ListPosition {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw queryInvalid('cursor', 'is not a cursor this list gave out');
  }
  if (!Array.isArray(parsed) || parsed[0] !== CURSOR_VERSION || parsed.length !== order.shape.length + 1) {
    throw queryInvalid('cursor', 'is not a cursor this list gave out');
  }
  const position = parsed.slice(1) as unknown[];
  if (!position.every((part, i) => typeof part === order.shape[i])) throw queryInvalid('cursor', 'is not a cursor this list gave out');
  return position as (string | number)[];
}

function queryInvalid(field: string, detail: string): NimbusError {
  return new NimbusError('NIMBUS_ERR_QUERY_INVALID', `${field}: ${detail}`, { field });
}
