import { useState } from 'preact/hooks';
import { routes, type ResponseOf } from '../../api/endpoints.js';
import { ErrorBanner } from '../../components/error-banner.js';
import { Pager } from '../../components/pager.js';
import { formatDuration, formatTime } from '../../format.js';
import { usePaged } from '../../hooks/use-paged.js';
import { pageSize } from '../../page-size.js';
import { useSession } from '../../session.js';

type InvocationRow = ResponseOf<typeof routes.metering.invocationRecords>['records'][number];
/** `GET /invocation-records?outcome=`: one outcome, or `failed` for every outcome but ok. */
type OutcomeFilter = InvocationRow['outcome'] | 'failed';

const OUTCOMES: { value: OutcomeFilter | ''; label: string }[] = [
  { value: '', label: 'All' },
  { value: 'ok', label: 'ok' },
  { value: 'failed', label: 'failed (any error)' },
  { value: 'error', label: 'error' },
  { value: 'timeout', label: 'timeout' },
  { value: 'out-of-memory', label: 'out of memory' },
  { value: 'crashed', label: 'crashed' },
  { value: 'throttled', label: 'throttled' },
];
const PER_PAGE = 20;
const REFRESH_MS = 2_000;

/** The function's invocations, newest first, a page at a time (`before` the last one shown), filtered by outcome on the node. */
export function InvocationsPanel({ app, fn }: { app: string; fn: string }) {
  const { api } = useSession();
  const [outcome, setOutcome] = useState<OutcomeFilter | ''>('');
  const { page, error, pager } = usePaged<InvocationRow>(async (cursor, signal) => {
    const answer = await api.call(routes.metering.invocationRecords, { query: { app, fn, limit: pageSize(PER_PAGE), outcome, before: cursor }, signal });
    return { items: answer.records, nextCursor: answer.nextCursor };
  }, REFRESH_MS, [api, app, fn, outcome]);

  return (
    <section aria-labelledby="invocations-heading">
      <h2 id="invocations-heading">Invocations</h2>
      <div class="filters">
        <label for="outcome-filter">Outcome</label>
        <select id="outcome-filter" value={outcome} onChange={(e) => setOutcome(e.currentTarget.value as OutcomeFilter | '')}>
          {OUTCOMES.map((o) => <option key={o.value} value={o.value}>{o.label}</option>)}
        </select>
      </div>
      <ErrorBanner error={error} />
      <table>
        <thead>
          <tr>
            <th scope="col">Time</th><th scope="col">Outcome</th><th scope="col" class="num">Duration</th><th scope="col">Cold start</th>
            <th scope="col" class="num">Billed</th><th scope="col">Version</th><th scope="col">Trigger</th><th scope="col">Error</th>
            <th scope="col" class="num" title="Time spent waiting for downstream budget permits before the start (not billed)">Budget wait</th>
          </tr>
        </thead>
        <tbody>
          {(page?.items ?? []).map((r) => (
            <tr key={r.id} data-invocation={r.id} data-outcome={r.outcome}>
              <td>{formatTime(r.startedAt)}</td>
              <td class={r.outcome === 'ok' ? 'outcome-ok' : 'outcome-failed'}>{r.outcome}</td>
              <td class="num">{formatDuration(r.durationMs)}</td>
              <td>{r.coldStart ? 'yes' : 'no'}</td>
              <td class="num">{r.billedMs} ms</td>
              <td>v{r.version}</td>
              <td>{r.trigger}</td>
              <td class="error-text">{r.error ?? ''}</td>
              <td class="num">{r.budgetWaitMs ? formatDuration(r.budgetWaitMs) : '–'}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {page && page.items.length === 0 ? <p class="empty">No invocations{outcome ? ` with outcome ${outcome}` : ''} yet.</p> : null}
      <Pager pager={pager} label="Invocations" />
    </section>
  );
}
