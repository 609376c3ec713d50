import { useState } from 'preact/hooks';
import { routes } from '../../api/endpoints.js';
import { ErrorBanner } from '../../components/error-banner.js';
import { formatDuration, formatTime } from '../../format.js';
import { usePolling } from '../../hooks/use-polling.js';
import { href } from '../../router.js';
import { useSession } from '../../session.js';
import { latenessMs, zonedText, type TimerStatus } from './timer-figures.js';

/** The API keeps a timer's newest 100 runs (and 50 failed ones); it answers up to 100 at a time. */
const LIMITS = [20, 50, 100];
const REFRESH_MS = 2_000;

function timeOrDash(iso: string | null): string {
  return iso === null ? '–' : formatTime(Date.parse(iso));
}

/** One timer: its schedule and next times, and its run history (outcome and lateness), newest first. */
export function RunHistory({ app, fn, status, version }: { app: string; fn: string; status: TimerStatus | undefined; version: number }) {
  const { api } = useSession();
  const [limit, setLimit] = useState(LIMITS[0]!);
  const runs = usePolling((signal) => api.call(routes.timers.runs, { params: { app, fn }, query: { limit }, signal }), REFRESH_MS, [api, app, fn, limit, version]);

  return (
    <section class="panel" aria-labelledby="runs-heading" data-runs={`${app}/${fn}`}>
      <h2 id="runs-heading">Runs of {app}/{fn}</h2>
      {status ? (
        <dl class="settings">
          <dt>Schedule</dt><dd><code>{status.cron}</code> in {status.timezone}</dd>
          <dt>Next</dt><dd>{status.next.map((n) => zonedText(n.zoned)).join(' · ')}</dd>
          <dt>Catch-up</dt><dd>{status.catchUp}</dd>
          <dt>Overlap</dt><dd>{status.overlap}</dd>
        </dl>
      ) : null}
      <div class="filters">
        <label for="runs-limit">Show the newest</label>
        <select id="runs-limit" value={limit} onChange={(e) => setLimit(Number(e.currentTarget.value))}>
          {LIMITS.map((n) => <option key={n} value={n}>{n}</option>)}
        </select>
        <a href={href('timers')}>Close</a>
      </div>
      <ErrorBanner error={runs.error} />
      <table>
        <thead>
          <tr>
            <th scope="col">Scheduled</th><th scope="col">Reason</th><th scope="col">Outcome</th><th scope="col">Fired</th><th scope="col" class="num">Lateness</th>
            <th scope="col">Finished</th><th scope="col" class="num">Attempts</th><th scope="col">Node</th><th scope="col">Error</th>
          </tr>
        </thead>
        <tbody>
          {(runs.data?.runs ?? []).map((r) => (
            <tr key={r.id} data-run={r.id} data-outcome={r.outcome} data-reason={r.reason}>
              <td>{timeOrDash(r.scheduledAt)}{r.isPastDue ? <span class="muted"> (past due{r.missed > 0 ? `, ${r.missed} missed` : ''})</span> : null}</td>
              <td>{r.reason}</td>
              <td class={r.outcome === 'ok' ? 'outcome-ok' : r.outcome === 'running' || r.outcome === 'skipped' ? '' : 'outcome-failed'}>{r.outcome}</td>
              <td>{timeOrDash(r.firedAt)}</td>
              <td class="num" data-lateness>{formatDuration(latenessMs(r))}</td>
              <td>{timeOrDash(r.finishedAt)}</td>
              <td class="num">{r.attempts}</td>
              <td class="mono">{r.nodeId}</td>
              <td class="error-text">{r.error ?? ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {runs.data && runs.data.runs.length === 0 ? <p class="empty">No runs yet.</p> : null}
    </section>
  );
}
