import { useState } from 'preact/hooks';
import { routes, type ResponseOf } from '../../api/endpoints.js';
import { ConfirmDialog } from '../../components/confirm-dialog.js';
import { ErrorBanner } from '../../components/error-banner.js';
import { Pager } from '../../components/pager.js';
import { formatTime } from '../../format.js';
import { usePaged } from '../../hooks/use-paged.js';
import { usePolling } from '../../hooks/use-polling.js';
import { href } from '../../router.js';
import { useSession } from '../../session.js';

type SecretInfo = ResponseOf<typeof routes.secrets.list>['secrets'][number];

const SECRETS_PER_PAGE = 50;
/** Offered as suggestions in the app field; any other name can be typed. */
const APPS_SUGGESTED = 100;
const REFRESH_MS = 5_000;

/** Chooses the app whose secrets are shown (`#/keys/<app>`). */
export function AppChooser({ app }: { app: string | undefined }) {
  const { api } = useSession();
  const [typed, setTyped] = useState(app ?? '');
  const apps = usePolling(
    (signal) => api.call(routes.apps.list, { query: { limit: APPS_SUGGESTED }, signal }),
    30_000, [api],
  );
  return (
    <form class="form-row" onSubmit={(e) => {
      e.preventDefault();
      if (typed.trim()) window.location.hash = href('keys', typed.trim());
    }}>
      <label for="secrets-app">Secrets of app</label>
      <input id="secrets-app" type="text" list="secrets-app-names" autocomplete="off" value={typed} onInput={(e) => setTyped(e.currentTarget.value)} />
      <datalist id="secrets-app-names">
        {(apps.data?.apps ?? []).map((a) => <option key={a.name} value={a.name} />)}
      </datalist>
      <button type="submit" class="secondary" disabled={typed.trim() === ''}>Show secrets</button>
    </form>
  );
}

/**
 * One app's secrets: names and times only (the API never answers a value).
 * A value is typed into a password field, sent with `PUT`, and cleared.
 */
export function SecretsPanel({ app }: { app: string }) {
  const { api, canWrite } = useSession();
  const [name, setName] = useState('');
  const [value, setValue] = useState('');
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<Error | null>(null);
  const [said, setSaid] = useState('');
  const [deleting, setDeleting] = useState<string | null>(null);
  const { page, error, pager, refresh } = usePaged<SecretInfo>(async (cursor, signal) => {
    const answer = (await api.call(routes.secrets.list, { params: { app }, query: { limit: SECRETS_PER_PAGE, cursor }, signal }));
    return { items: answer.secrets, nextCursor: answer.nextCursor ?? null };
  }, REFRESH_MS, [api, app]);

  const submit = async (event: Event): Promise<void> => {
    event.preventDefault();
    setBusy(true);
    setFailure(null);
    try {
      const { secret } = await api.call(routes.secrets.set, { params: { app, name: name.trim() }, body: { value } });
      setSaid(`Set ${secret.name} for ${app}; its instances are replaced to pick it up.`);
      setName('');
      refresh();
    } catch (err) {
      setFailure(err instanceof Error ? err : new Error(String(err)));
    } finally {
      // The value leaves the page whatever the answer: it is typed again rather than kept.
      setValue('');
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby="secrets-heading" data-secrets-app={app}>
      <h3 id="secrets-heading">Secrets of {app}</h3>
      <ErrorBanner error={error} />
      <table>
        <thead><tr><th scope="col">Name</th><th scope="col">Created</th><th scope="col">Updated</th>{canWrite ? <th scope="col">Actions</th> : null}</tr></thead>
        <tbody>
          {(page?.items ?? []).map((s) => (
            <tr key={s.name} data-secret={s.name}>
              <td class="mono">{s.name}</td>
              <td>{formatTime(s.createdAt)}</td>
              <td>{formatTime(s.updatedAt)}</td>
              {canWrite ? <td><button type="button" class="secondary" aria-label={`Delete secret ${s.name}`} onClick={() => setDeleting(s.name)}>Delete</button></td> : null}
            </tr>
          ))}
        </tbody>
      </table>
      {page && page.items.length === 0 ? <p class="empty">{app} has no secrets.</p> : null}
      <Pager pager={pager} label="Secrets" />
      <p class="status" role="status">{said}</p>
      {canWrite ? (
        <form class="panel" onSubmit={(e) => void submit(e)} aria-labelledby="set-secret-heading">
          <h3 id="set-secret-heading">Set a secret</h3>
          <p class="hint">A new value replaces the old one. Values are write-only: neither this page nor the API shows them back.</p>
          <div class="form-row">
            <label for="secret-name">Name</label>
            <input id="secret-name" type="text" autocomplete="off" spellcheck={false} required value={name} onInput={(e) => setName(e.currentTarget.value)} />
            <label for="secret-value">Value</label>
            <input id="secret-value" type="password" autocomplete="new-password" required value={value} onInput={(e) => setValue(e.currentTarget.value)} />
            <button type="submit" disabled={busy || name.trim() === ''}>{busy ? 'Setting…' : 'Set secret'}</button>
          </div>
          <ErrorBanner error={failure} />
        </form>
      ) : null}
      {deleting ? (
        <ConfirmDialog
          title={`Delete secret ${deleting} of ${app}?`}
          confirmLabel="Delete secret"
          danger
          onClose={() => setDeleting(null)}
          onConfirm={async () => {
            await api.call(routes.secrets.remove, { params: { app, name: deleting } });
            setSaid(`Deleted ${deleting} from ${app}.`);
            refresh();
          }}
        >
          <p>{app}'s instances are replaced without {deleting} in their environment (work in flight finishes on the old ones). The value cannot be recovered.</p>
        </ConfirmDialog>
      ) : null}
    </section>
  );
}
