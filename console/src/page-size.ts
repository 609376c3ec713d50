/** Rows a paged list asks for when the console's address does not say. */
export const DEFAULT_PAGE_SIZE = 50;
/** The admin API's largest `limit` (MAX_PAGE_LIMIT in src/gateway/admin-routes/common.ts, not imported: it would bring zod into the bundle). */
const MAX_PAGE_SIZE = 1000;

/**
 * Rows per page: `?pageSize=N` on the console's address (before the `#`) sets
 * it for every list, so a test can page through a few items and a person can
 * see more at once; otherwise the list's own default.
 */
export function pageSize(fallback: number = DEFAULT_PAGE_SIZE): number {
  const asked = Number(new URLSearchParams(window.location.search).get('pageSize'));
  return Number.isInteger(asked) && asked >= 1 && asked <= MAX_PAGE_SIZE ? asked : fallback;
}
