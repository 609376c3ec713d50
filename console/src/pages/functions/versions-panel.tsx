import { useState } from 'preact/hooks';
import { routes, type ResponseOf } from '../../api/endpoints.js';
import { ConfirmDialog } from '../../components/confirm-dialog.js';
import { ErrorBanner } from '../../components/error-banner.js';
import { Pager } from '../../components/pager.js';
import { formatTime } from '../../format.js';
import { usePaged } from '../../hooks/use-paged.js';
import { pageSize } from '../../page-size.js';
import { useSession } from '../../session.js';

type Version = ResponseOf<typeof routes.apps.versions>['versions'][number];

const VERSIONS_PER_PAGE = 10;
const REFRESH_MS = 5_000;

/** An app's versions, newest first, each but the live one with a rollback to it (asked first). */
export function VersionsPanel({ app, onChanged }: { app: string; onChanged: () => void }) {
  const { api, canWrite } = useSession();
  const [target, setTarget] = useState<Version | null>(null);
  const { page, error, pager, refresh } = usePaged<Version>(async (cursor, signal) => {
    const answer = await api.call(routes.apps.versions, { params: { app }, query: { order: 'newest', limit: pageSize(VERSIONS_PER_PAGE), cursor }, signal });
    return { items: answer.versions, nextCursor: answer.nextCursor };
  }, REFRESH_MS, [api, app]);
  const live = page?.items.find((v) => v.live);

  return (
    <section aria-labelledby="versions-heading">
      <h2 id="versions-heading">Versions</h2>
      <ErrorBanner error={error} />
      <table>
        <thead>
          <tr><th scope="col">Version</th><th scope="col">Deployed</th><th scope="col" class="num">Bundle</th><th scope="col">Functions</th><th scope="col">State</th></tr>
        </thead>
        <tbody>
          {(page?.items ?? []).map((v) => (
            <tr key={v.version} data-version={v.version}>
              <td>v{v.version}</td>
              <td>{formatTime(v.createdAt)}</td>
              <td class="num">{(v.bundleSize / 1024).toFixed(1)} KiB</td>
              <td>{v.functions.join(', ')}</td>
              <td>
                {v.live
                  ? <strong>live</strong>
                  : canWrite ? <button type="button" class="secondary" onClick={() => setTarget(v)}>Roll back to v{v.version}</button> : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <Pager pager={pager} label="Versions" />
      {target ? (
        <ConfirmDialog
          title={`Roll back ${app} to v${target.version}?`}
          confirmLabel={`Make v${target.version} live`}
          onClose={() => setTarget(null)}
          onConfirm={async () => {
            await api.call(routes.apps.rollback, { params: { app }, body: { to: target.version } });
            refresh();
            onChanged();
          }}
        >
          <p>
            Version {target.version} of {app} becomes live for all its functions{live ? `; v${live.version}, live now, stops taking new invocations` : ''}.
            Invocations already running finish on the version they started on.
          </p>
        </ConfirmDialog>
      ) : null}
    </section>
  );
}
