import { ApiError } from '../api/client.js';

/** An error as the API put it (its message and code), announced to screen readers. */
export function ErrorBanner({ error, onDismiss }: { error: Error | null | undefined; onDismiss?: () => void }) {
  if (!error) return null;
  const code = error instanceof ApiError ? error.code : null;
  return (
    <div class="error-banner" role="alert">
      <p>
        <span class="error-message">{error.message}</span>
        {code ? <code class="error-code">{code}</code> : null}
      </p>
      {onDismiss ? <button type="button" class="secondary" onClick={onDismiss}>Dismiss</button> : null}
    </div>
  );
}
