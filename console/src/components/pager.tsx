import type { PagerState } from '../hooks/use-paged.js';

/** First / previous / next for a cursor-paged list; hidden when the list is one page. */
export function Pager({ pager, label }: { pager: PagerState; label: string }) {
  if (!pager.hasPrevious && !pager.hasNext) return null;
  return (
    <nav class="pager" aria-label={`${label} pages`}>
      <button type="button" class="secondary" disabled={!pager.hasPrevious} onClick={pager.first}>First</button>
      <button type="button" class="secondary" disabled={!pager.hasPrevious} onClick={pager.previous}>Previous</button>
      <span class="pager-number" aria-live="polite">Page {pager.pageNumber}</span>
      <button type="button" class="secondary" disabled={!pager.hasNext} onClick={pager.next}>Next</button>
    </nav>
  );
}
