import './panels.css';
import { useState } from 'preact/hooks';
import { routes } from '../api/endpoints.js';
import { ErrorBanner } from '../components/error-banner.js';
import { Pager } from '../components/pager.js';
import { formatTime } from '../format.js';
import { usePolling } from '../hooks/use-polling.js';
import type { PageProps } from '../router.js';
import { saveFile } from '../save-file.js';
import { useSession } from '../session.js';
import { UsageChart } from './usage/usage-chart.js';
import { COLUMNS, KEY_LABEL, priceLabel, sortedRows, usageCsv, type Grouping } from './usage/usage-table.js';

const GROUPINGS: { value: Grouping; label: string }[] = [
  { value: 'function', label: 'function' },
  { value: 'hour', label: 'hour' },
  { value: 'day', label: 'day' },
];
const PERIODS = [
  { value: '1h', label: 'last hour' },
  { value: '24h', label: 'last 24 hours' },
  { value: '7d', label: 'last 7 days' },
  { value: '30d', label: 'last 30 days' },
];
/** The API answers a report whole (it is one row per function, hour or day); the table shows it a page at a time. */
const ROWS_PER_PAGE = 50;
const REFRESH_MS = 5_000;

/** Usage and cost (`GET /usage?by=&since=&app=`, as `nimbus usage`): a chart, the table, the price table used and a CSV of the table. */
export function UsagePage(_props: PageProps) {
  const { api } = useSession();
  const [by, setBy] = useState<Grouping>('function');
  const [since, setSince] = useState('24h');
  const [app, setApp] = useState('');
  const [pageIndex, setPageIndex] = useState(0);
  const usage = usePolling((signal) => api.call(routes.metering.usage, { query: { by, since, app: app.trim() || undefined }, signal }), REFRESH_MS, [api, by, since, app]);
  const answer = usage.data;
  const rows = answer ? sortedRows(answer) : [];
  const pages = Math.max(1, Math.ceil(rows.length / ROWS_PER_PAGE));
  const shownPage = Math.min(pageIndex, pages - 1);
  const shown = rows.slice(shownPage * ROWS_PER_PAGE, (shownPage + 1) * ROWS_PER_PAGE);
  const choose = <T,>(set: (value: T) => void) => (value: T): void => {
    set(value);
    setPageIndex(0);
  };

  return (
    <section class="page usage">
      <h1>Usage and cost</h1>
      <div class="filters">
        <label for="usage-by">By</label>
        <select id="usage-by" value={by} onChange={(e) => choose(setBy)(e.currentTarget.value as Grouping)}>
          {GROUPINGS.map((g) => <option key={g.value} value={g.value}>{g.label}</option>)}
        </select>
        <label for="usage-since">Over the</label>
        <select id="usage-since" value={since} onChange={(e) => choose(setSince)(e.currentTarget.value)}>
          {PERIODS.map((p) => <option key={p.value} value={p.value}>{p.label}</option>)}
        </select>
        <label for="usage-app">App</label>
        {/* Applied when the field is left or Enter is pressed, not at each keystroke. */}
        <input
          id="usage-app" type="text" autocomplete="off" placeholder="all apps" value={app}
          onChange={(e) => choose(setApp)(e.currentTarget.value)}
          onKeyDown={(e) => e.key === 'Enter' && choose(setApp)(e.currentTarget.value)}
        />
        <button type="button" class="secondary" disabled={!answer} onClick={() => answer && saveFile(new Blob([usageCsv(answer)], { type: 'text/csv' }), `nimbus-usage-by-${by}-${since}${app.trim() ? `-${app.trim()}` : ''}.csv`)}>
          Download CSV
        </button>
      </div>
      <ErrorBanner error={usage.error} />
      {answer ? <p class="muted">Since {formatTime(answer.since)}. Cost is what the same usage would cost on a typical public cloud; Nimbus itself charges nothing.</p> : null}
      <UsageChart rows={rows} by={by} />

      <h2>Table</h2>
      <table class="usage-table">
        <thead>
          <tr><th scope="col">{KEY_LABEL[by]}</th>{COLUMNS.map((c) => <th key={c.field} scope="col" class="num">{c.label}</th>)}</tr>
        </thead>
        <tbody>
          {shown.map((r) => (
            <tr key={r.key} data-usage-row={r.key}>
              <td class="mono">{r.key}</td>
              {COLUMNS.map((c) => <td key={c.field} class="num" data-field={c.field}>{c.format(r[c.field])}</td>)}
            </tr>
          ))}
        </tbody>
        {answer ? (
          <tfoot>
            <tr data-usage-row="total">
              <th scope="row">Total</th>
              {COLUMNS.map((c) => <td key={c.field} class="num" data-field={c.field}>{c.format(answer.totals[c.field])}</td>)}
            </tr>
          </tfoot>
        ) : null}
      </table>
      {answer && rows.length === 0 ? <p class="empty">No usage in this period.</p> : null}
      <Pager
        label="Usage rows"
        pager={{
          pageNumber: shownPage + 1,
          hasPrevious: shownPage > 0,
          hasNext: shownPage < pages - 1,
          next: () => setPageIndex(shownPage + 1),
          previous: () => setPageIndex(shownPage - 1),
          first: () => setPageIndex(0),
        }}
      />

      <h2>Prices used</h2>
      {answer ? (
        <table class="prices">
          <tbody>
            {Object.entries(answer.prices).map(([name, value]) => (
              <tr key={name} data-price={name}><th scope="row">{priceLabel(name)}</th><td class="num">{typeof value === 'number' ? `$${value}` : JSON.stringify(value)}</td></tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}
