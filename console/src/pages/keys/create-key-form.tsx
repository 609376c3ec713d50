import { useState } from 'preact/hooks';
import { routes } from '../../api/endpoints.js';
import { ErrorBanner } from '../../components/error-banner.js';
import { useSession } from '../../session.js';
import { describeScope, SCOPE_KINDS, scopeOf, type KeyScope, type ScopeFields } from './key-scopes.js';
import { NewKey } from './new-key.js';

const EMPTY: ScopeFields = { kind: 'function', app: '', fn: '', names: '', readOnly: false };

/** `POST /keys` {scope, label}: the answer holds the key, shown here once and then forgotten. */
export function CreateKeyForm({ onCreated }: { onCreated: () => void }) {
  const { api } = useSession();
  const [fields, setFields] = useState<ScopeFields>(EMPTY);
  const [label, setLabel] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error | null>(null);
  const [created, setCreated] = useState<{ id: string; key: string; scope: KeyScope } | null>(null);
  const set = (change: Partial<ScopeFields>): void => setFields((f) => ({ ...f, ...change }));

  const submit = async (event: Event): Promise<void> => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const answer = await api.call(routes.keys.create, { body: { scope: scopeOf(fields), ...(label.trim() ? { label: label.trim() } : {}) } });
      setCreated({ id: answer.id, key: answer.key, scope: answer.scope });
      setFields(EMPTY);
      setLabel('');
      onCreated();
    } catch (err) {
      setError(err instanceof Error ? err : new Error(String(err)));
    } finally {
      setBusy(false);
    }
  };

  if (created) return <NewKey id={created.id} material={created.key} scope={describeScope(created.scope)} onDone={() => setCreated(null)} />;
  const kind = SCOPE_KINDS.find((k) => k.kind === fields.kind)!;
  return (
    <form class="panel" onSubmit={(e) => void submit(e)} aria-labelledby="create-key-heading">
      <h2 id="create-key-heading">Create a key</h2>
      <div class="form-row">
        <label for="key-kind">Scope</label>
        <select id="key-kind" value={fields.kind} aria-describedby="key-kind-hint" onChange={(e) => set({ kind: e.currentTarget.value as ScopeFields['kind'] })}>
          {SCOPE_KINDS.map((k) => <option key={k.kind} value={k.kind}>{k.label}</option>)}
        </select>
        <span id="key-kind-hint" class="hint">{kind.hint}</span>
      </div>
      {fields.kind === 'function' ? (
        <div class="form-row">
          <label for="key-app">App</label>
          <input id="key-app" type="text" autocomplete="off" required value={fields.app} onInput={(e) => set({ app: e.currentTarget.value })} />
          <label for="key-fn">Function (optional)</label>
          <input id="key-fn" type="text" autocomplete="off" value={fields.fn} onInput={(e) => set({ fn: e.currentTarget.value })} />
        </div>
      ) : null}
      {fields.kind === 'producer' || fields.kind === 'blobs' ? (
        <div class="form-row">
          <label for="key-names">{fields.kind === 'producer' ? 'Queues' : 'Buckets'} (comma-separated)</label>
          <input id="key-names" type="text" autocomplete="off" required value={fields.names} onInput={(e) => set({ names: e.currentTarget.value })} />
          {fields.kind === 'blobs' ? (
            <>
              <input id="key-read-only" type="checkbox" checked={fields.readOnly} onChange={(e) => set({ readOnly: e.currentTarget.checked })} />
              <label for="key-read-only">Read-only</label>
            </>
          ) : null}
        </div>
      ) : null}
      <div class="form-row">
        <label for="key-label">Label (optional)</label>
        <input id="key-label" type="text" autocomplete="off" maxLength={200} value={label} onInput={(e) => setLabel(e.currentTarget.value)} />
        <button type="submit" disabled={busy}>{busy ? 'Creating…' : 'Create key'}</button>
      </div>
      <ErrorBanner error={error} />
    </form>
  );
}
