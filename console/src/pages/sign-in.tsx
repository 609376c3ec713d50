import { useState } from 'preact/hooks';
import { ApiClient, ApiError } from '../api/client.js';
import { routes } from '../api/endpoints.js';
import { ErrorBanner } from '../components/error-banner.js';
import { canUseConsole, type ConsoleScope } from '../session.js';

/** Asks the node who the key is (`GET /whoami`): its scope decides what the console offers. */
export async function identify(key: string): Promise<ConsoleScope> {
  const { scope } = await new ApiClient(key).call(routes.session.whoami, {});
  if (!canUseConsole(scope)) throw new ApiError(403, 'NIMBUS_ERR_AUTH_FORBIDDEN', `a ${scope.kind} key cannot use the console: sign in with the admin key or a read key`);
  return scope;
}

export function SignIn({ onSignedIn, notice }: { onSignedIn: (key: string, scope: ConsoleScope) => void; notice: Error | null }) {
  const [key, setKey] = useState('');
  const [error, setError] = useState<Error | null>(notice);
  const [busy, setBusy] = useState(false);

  const submit = async (event: Event): Promise<void> => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      onSignedIn(key.trim(), await identify(key.trim()));
    } catch (err) {
      setError(err instanceof Error ? err : new Error(String(err)));
      setBusy(false);
    }
  };

  return (
    <main class="sign-in">
      <h1>Nimbus console</h1>
      <form onSubmit={(e) => void submit(e)}>
        <label for="key">Admin key or read key</label>
        <input id="key" name="key" type="password" autocomplete="off" required value={key} onInput={(e) => setKey(e.currentTarget.value)} />
        <p class="hint">The key stays in this tab only (session storage); closing the tab signs you out.</p>
        <ErrorBanner error={error} />
        <button type="submit" disabled={busy || key.trim() === ''}>{busy ? 'Signing in…' : 'Sign in'}</button>
      </form>
    </main>
  );
}
