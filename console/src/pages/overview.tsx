import { routes } from '../api/endpoints.js';
import { Chart } from '../components/chart.js';
import { ErrorBanner } from '../components/error-banner.js';
import { formatAge, formatNumber } from '../format.js';
import { usePolling } from '../hooks/use-polling.js';
import { href, type PageProps } from '../router.js';
import { useSession } from '../session.js';
import { loadChartData } from './overview-stats.js';

/** Charts and counts refresh this often while the tab is visible. */
const REFRESH_MS = 3_000;
/** Counted in one request; a bigger installation is shown as "1000+". */
const APPS_COUNTED = 1000;

export function OverviewPage(_props: PageProps) {
  const { api } = useSession();
  const nodes = usePolling((signal) => api.call(routes.node.nodes, { signal }), REFRESH_MS, [api]);
  const apps = usePolling((signal) => api.call(routes.apps.list, { query: { limit: APPS_COUNTED }, signal }), REFRESH_MS, [api]);
  const charts = usePolling((signal) => loadChartData(api, signal), REFRESH_MS, [api]);

  const more = apps.data?.nextCursor ? '+' : '';
  const alive = nodes.data?.nodes.filter((n) => n.state === 'alive').length;
  const c = charts.data;
  return (
    <section class="page overview">
      <h1>Overview</h1>
      <ErrorBanner error={nodes.error ?? apps.error ?? charts.error} />
      <div class="cards">
        <Card label="Nodes alive" value={alive === undefined ? '…' : `${alive} of ${nodes.data!.nodes.length}`} />
        <Card label="Apps" value={apps.data ? `${apps.data.apps.length}${more}` : '…'} link={href('functions')} />
        <Card label="Functions" value={apps.data ? `${apps.data.apps.reduce((n, a) => n + a.functions.length, 0)}${more}` : '…'} link={href('functions')} />
      </div>

      <h2>Last hour</h2>
      <div class="charts">
        <Chart title="Invocations per second" unit="/s" times={c?.times ?? []} series={[{ key: 'invocations', label: 'invocations/s', color: '#1f5fbf', values: c?.invocationsPerSecond ?? [] }]} />
        <Chart title="Errors per minute" unit="" times={c?.times ?? []} series={[{ key: 'errors', label: 'errors', color: '#b3261e', values: c?.errors ?? [] }]} />
        <Chart
          title="Duration (ms)" unit="ms" times={c?.times ?? []}
          series={[{ key: 'p50', label: 'p50', color: '#1e6b34', values: c?.p50Ms ?? [] }, { key: 'p99', label: 'p99', color: '#8a4b00', values: c?.p99Ms ?? [] }]}
        />
        <Chart title="Cold starts per minute" unit="" times={c?.times ?? []} series={[{ key: 'coldStarts', label: 'cold starts', color: '#6a3fb5', values: c?.coldStarts ?? [] }]} />
        <Chart title="Running instances" unit="" times={c?.instanceTimes ?? []} series={[{ key: 'running', label: 'running', color: '#0b6e79', values: c?.running ?? [] }]} />
      </div>

      <h2>Nodes</h2>
      <table>
        <thead>
          <tr><th scope="col">Node</th><th scope="col">Address</th><th scope="col">Version</th><th scope="col">State</th><th scope="col" class="num">Instances</th><th scope="col" class="num">Load</th><th scope="col">Last heartbeat</th></tr>
        </thead>
        <tbody>
          {(nodes.data?.nodes ?? []).map((n) => (
            <tr key={n.id}>
              <td class="mono">{n.id}</td>
              <td>{n.address}</td>
              <td>{n.version}</td>
              <td>{n.state}</td>
              <td class="num">{n.instances}</td>
              <td class="num">{formatNumber(n.load, 2)}</td>
              <td>{formatAge(n.heartbeatAgeMs)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

function Card({ label, value, link }: { label: string; value: string; link?: string }) {
  return (
    <div class="card">
      <div class="card-label muted">{label}</div>
      <div class="figure">{link ? <a href={link}>{value}</a> : value}</div>
    </div>
  );
}
