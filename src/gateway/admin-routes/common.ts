import { z } from 'zod';

/** Epoch milliseconds. */
export const epochMs = z.number();
/** An object whose main fields are checked and whose further fields pass (answers may grow). */
export const record = z.record(z.string(), z.unknown());

/** Lists the console pages through (src/gateway/list-page.ts): `limit` and `cursor` in, `nextCursor` out. */
export const MAX_PAGE_LIMIT = 1000;
export const pageQuery = {
  limit: `1..${MAX_PAGE_LIMIT}: answer a page of at most this many (everything when absent)`,
  cursor: "the previous page's nextCursor",
} as const;
/** The next page's `cursor`; null at the end, and always when no limit was asked for. */
export const nextCursor = z.string().nullable();
