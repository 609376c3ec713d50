import { routes } from '../../api/endpoints.js';
import { ErrorBanner } from '../../components/error-banner.js';
import { Pager } from '../../components/pager.js';
import { usePaged } from '../../hooks/use-paged.js';
import { pageSize } from '../../page-size.js';
import { href } from '../../router.js';
import { useSession } from '../../session.js';
import { settingsLine, sourceOf, type AppSummary } from './describe-function.js';

const REFRESH_MS = 2_000;

/** Every app's live functions with what runs them now; refreshed, so a deploy shows up without a reload. */
export function FunctionList() {
  const { api } = useSession();
  const { page, error, pager } = usePaged<AppSummary>(async (cursor, signal) => {
    const answer = await api.call(routes.apps.list, { query: { limit: pageSize(), cursor }, signal });
    return { items: answer.apps, nextCursor: answer.nextCursor };
  }, REFRESH_MS, [api]);

  const apps = page?.items;
  return (
    <section class="page functions">
      <h1>Functions</h1>
      <ErrorBanner error={error} />
      {apps && apps.length === 0 ? <p class="empty">No apps deployed yet: <code>npx nimbus deploy</code> one.</p> : null}
      <table>
        <thead>
          <tr>
            <th scope="col">App</th><th scope="col">Function</th><th scope="col">Trigger</th><th scope="col">Route or source</th><th scope="col">Settings</th>
            <th scope="col" class="num">Instances</th><th scope="col" class="num">In flight</th><th scope="col" class="num">Waiting</th>
          </tr>
        </thead>
        <tbody>
          {(apps ?? []).flatMap((app) => app.functions.map((f) => (
            <tr key={`${app.name}/${f.name}`} data-function={`${app.name}/${f.name}`}>
              <td>{app.name} <span class="muted">v{app.liveVersion}</span></td>
              <td><a href={href('functions', app.name, f.name)}>{f.name}</a></td>
              <td>{f.kind}</td>
              <td class="mono">{sourceOf(f)}</td>
              <td>{settingsLine(f)}</td>
              <td class="num">{f.instances}</td>
              <td class="num">{f.inflight}</td>
              <td class="num">{f.waiting}</td>
            </tr>
          )))}
        </tbody>
      </table>
      <Pager pager={pager} label="Apps" />
    </section>
  );
}
