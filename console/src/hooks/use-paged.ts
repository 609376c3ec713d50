import { useState } from 'preact/hooks';
import { usePolling } from './use-polling.js';

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** Moves through a cursor-paged list: the cursors of the pages before this one are kept to go back. */
export interface PagerState {
  pageNumber: number;
  hasPrevious: boolean;
  hasNext: boolean;
  next(): void;
  previous(): void;
  first(): void;
}

export interface Paged<T> {
  page: Page<T> | undefined;
  error: Error | null;
  pager: PagerState;
  refresh(): void;
}

/**
 * One page of a list at a time (`limit`/`cursor` → `nextCursor`), polled so
 * it stays current; `deps` (a filter) changing goes back to the first page.
 */
export function usePaged<T>(load: (cursor: string | undefined, signal: AbortSignal) => Promise<Page<T>>, intervalMs: number, deps: readonly unknown[]): Paged<T> {
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const [shownFor, setShownFor] = useState<readonly unknown[]>(deps);
  let stack = cursors;
  if (shownFor.length !== deps.length || shownFor.some((d, i) => d !== deps[i])) {
    stack = [undefined];
    setShownFor(deps);
    setCursors(stack);
  }
  const cursor = stack[stack.length - 1];
  const polled = usePolling((signal) => load(cursor, signal), intervalMs, [cursor, ...deps]);
  const nextCursor = polled.data?.nextCursor ?? null;
  return {
    page: polled.data,
    error: polled.error,
    refresh: polled.refresh,
    pager: {
      pageNumber: stack.length,
      hasPrevious: stack.length > 1,
      hasNext: nextCursor !== null,
      next: () => nextCursor !== null && setCursors([...stack, nextCursor]),
      previous: () => stack.length > 1 && setCursors(stack.slice(0, -1)),
      first: () => setCursors([undefined]),
    },
  };
}
