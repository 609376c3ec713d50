import { Fragment } from 'preact';
import { routes } from '../../api/endpoints.js';
import { ErrorBanner } from '../../components/error-banner.js';
import { usePolling } from '../../hooks/use-polling.js';
import { href } from '../../router.js';
import { useSession } from '../../session.js';
import { settingsOf, sourceOf } from './describe-function.js';
import { InvocationsPanel } from './invocations-panel.js';
import { LogsPanel } from './logs-panel.js';
import { VersionsPanel } from './versions-panel.js';

const REFRESH_MS = 2_000;

/** One function: what it is and runs now, its app's versions, its invocations and its live log. */
export function FunctionDetail({ app, fn }: { app: string; fn: string }) {
  const { api } = useSession();
  const summary = usePolling((signal) => api.call(routes.apps.get, { params: { app }, signal }), REFRESH_MS, [api, app]);
  const f = summary.data?.app.functions.find((x) => x.name === fn);

  return (
    <section class="page function-detail">
      <p><a href={href('functions')}>← All functions</a></p>
      <h1>{app}/{fn}</h1>
      <ErrorBanner error={summary.error} />
      {summary.data && !f ? <p class="empty">The live version of {app} has no function {fn}.</p> : null}
      {f ? (
        <dl class="settings">
          <dt>Trigger</dt><dd>{f.kind}</dd>
          <dt>{f.kind === 'http' ? 'Route' : 'Source'}</dt><dd class="mono">{sourceOf(f)}</dd>
          {f.routeUrl ? <><dt>Route URL</dt><dd class="mono">{f.routeUrl}</dd></> : null}
          {f.url ? <><dt>{f.routeUrl ? 'Function URL' : 'URL'}</dt><dd class="mono">{f.url}</dd></> : null}
          {f.next ? <><dt>Next run</dt><dd>{f.next.zoned} ({f.next.timezone})</dd></> : null}
          <dt>Live version</dt><dd>v{summary.data!.app.liveVersion}</dd>
          <dt>Now</dt><dd data-live-counts>{f.instances} {f.instances === 1 ? 'instance' : 'instances'}, {f.inflight} in flight, {f.waiting} waiting</dd>
          {settingsOf(f).map(([label, value]) => <Fragment key={label}><dt>{label}</dt><dd>{value}</dd></Fragment>)}
        </dl>
      ) : null}
      <VersionsPanel app={app} onChanged={summary.refresh} />
      <InvocationsPanel app={app} fn={fn} />
      <LogsPanel app={app} fn={fn} />
    </section>
  );
}
