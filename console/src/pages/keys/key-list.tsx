import { useState } from 'preact/hooks';
import { routes } from '../../api/endpoints.js';
import { ConfirmDialog } from '../../components/confirm-dialog.js';
import { ErrorBanner } from '../../components/error-banner.js';
import { Pager } from '../../components/pager.js';
import { formatTime } from '../../format.js';
import { usePaged } from '../../hooks/use-paged.js';
import { useSession } from '../../session.js';
import { describeScope, type KeyInfo } from './key-scopes.js';

const KEYS_PER_PAGE = 25;
const REFRESH_MS = 5_000;

/** The API keys (never their material), newest first; each revocable after a question. `version` changing reloads. */
export function KeyList({ version, onRevoked }: { version: number; onRevoked: (said: string) => void }) {
  const { api, canWrite } = useSession();
  const [revoking, setRevoking] = useState<KeyInfo | null>(null);
  const { page, error, pager, refresh } = usePaged<KeyInfo>(async (cursor, signal) => {
    const answer = (await api.call(routes.keys.list, { query: { limit: KEYS_PER_PAGE, cursor }, signal }));
    return { items: [...answer.keys].sort((a, b) => b.createdAt - a.createdAt), nextCursor: answer.nextCursor ?? null };
  }, REFRESH_MS, [api, version]);
  const name = (k: KeyInfo): string => (k.label ? `${k.id} (${k.label})` : k.id);

  return (
    <section aria-labelledby="keys-heading">
      <h2 id="keys-heading">API keys</h2>
      <ErrorBanner error={error} />
      <table>
        <thead>
          <tr><th scope="col">Key id</th><th scope="col">Scope</th><th scope="col">Label</th><th scope="col">Created</th><th scope="col">Last used</th>{canWrite ? <th scope="col">Actions</th> : null}</tr>
        </thead>
        <tbody>
          {(page?.items ?? []).map((k) => (
            <tr key={k.id} data-key-id={k.id}>
              <td class="mono">{k.id}</td>
              <td data-scope-kind={k.scope.kind}>{describeScope(k.scope)}</td>
              <td>{k.label ?? <span class="muted">–</span>}</td>
              <td>{formatTime(k.createdAt)}</td>
              <td>{k.lastUsedAt === null ? <span class="muted">never</span> : formatTime(k.lastUsedAt)}</td>
              {canWrite ? <td><button type="button" class="secondary" aria-label={`Revoke ${name(k)}`} onClick={() => setRevoking(k)}>Revoke</button></td> : null}
            </tr>
          ))}
        </tbody>
      </table>
      {page && page.items.length === 0 ? <p class="empty">No API keys yet (the admin key is not listed).</p> : null}
      <Pager pager={pager} label="Keys" />
      {revoking ? (
        <ConfirmDialog
          title={`Revoke key ${name(revoking)}?`}
          confirmLabel="Revoke key"
          danger
          onClose={() => setRevoking(null)}
          onConfirm={async () => {
            await api.call(routes.keys.revoke, { params: { id: revoking.id } });
            onRevoked(`Revoked key ${revoking.id}.`);
            refresh();
          }}
        >
          <p>Key {name(revoking)} ({describeScope(revoking.scope)}) stops working at once on this node, and within 10 seconds on the others. This cannot be undone.</p>
        </ConfirmDialog>
      ) : null}
    </section>
  );
}
