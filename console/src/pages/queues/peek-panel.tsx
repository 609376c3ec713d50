import { useState } from 'preact/hooks';
import { routes } from '../../api/endpoints.js';
import { ErrorBanner } from '../../components/error-banner.js';
import { formatTime } from '../../format.js';
import { usePolling } from '../../hooks/use-polling.js';
import { href } from '../../router.js';
import { useSession } from '../../session.js';
import type { QueueAction } from './queue-action-dialog.js';
import { bodyText, messagesIn, plural, type QueueStats } from './queue-figures.js';

const LIMITS = [10, 50, 100];
const REFRESH_MS = 3_000;

/**
 * The first messages of one queue, leasing nothing (`GET /queues/<q>/messages`),
 * bodies shown as text. A dead-letter queue (its messages say where they came
 * from) can be redriven from here.
 */
export function PeekPanel({ queue, stats, onAction, version }: { queue: string; stats: QueueStats | undefined; onAction: (action: QueueAction) => void; version: number }) {
  const { api, canWrite } = useSession();
  const [limit, setLimit] = useState(LIMITS[0]!);
  const peek = usePolling((signal) => api.call(routes.queues.peek, { params: { queue }, query: { limit }, signal }), REFRESH_MS, [api, queue, limit, version]);
  const messages = peek.data?.messages;
  const isDeadLetterQueue = (messages ?? []).some((m) => m.deadLetteredFrom !== null);
  const count = stats ? messagesIn(stats) : (messages?.length ?? 0);

  return (
    <section class="panel" aria-labelledby="peek-heading" data-peek={queue}>
      <h2 id="peek-heading">Messages in {queue}</h2>
      <div class="filters">
        <label for="peek-limit">Show the first</label>
        <select id="peek-limit" value={limit} onChange={(e) => setLimit(Number(e.currentTarget.value))}>
          {LIMITS.map((n) => <option key={n} value={n}>{n}</option>)}
        </select>
        {canWrite && isDeadLetterQueue ? (
          <button type="button" class="secondary" onClick={() => onAction({ kind: 'redrive', queue, count, deadLetterQueue: true })}>Redrive {queue}</button>
        ) : null}
        <a href={href('queues')}>Close</a>
      </div>
      <ErrorBanner error={peek.error} />
      {messages && messages.length === 0 ? <p class="empty">{queue} holds no messages.</p> : null}
      {messages && messages.length > 0 ? (
        <table class="messages">
          <thead>
            <tr><th scope="col">Message</th><th scope="col">State</th><th scope="col" class="num">Attempts</th><th scope="col">Enqueued</th><th scope="col">Body</th><th scope="col">Last error</th></tr>
          </thead>
          <tbody>
            {messages.map((m) => (
              <tr key={m.id} data-message={m.id}>
                <td class="mono">{m.id}{m.deadLetteredFrom !== null ? <div class="muted">from {m.deadLetteredFrom}</div> : null}</td>
                <td>{m.state}</td>
                <td class="num">{m.attempts}</td>
                <td>{formatTime(m.enqueuedAt)}</td>
                <td><pre class="message-body">{bodyText(m.body)}</pre></td>
                <td class="error-text">{m.lastError ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {messages && stats && messagesIn(stats) > messages.length ? <p class="muted">Showing {messages.length} of {plural(messagesIn(stats), 'message')}.</p> : null}
    </section>
  );
}
