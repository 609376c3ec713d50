import type { ApiClient } from '../../api/client.js';
import { routes } from '../../api/endpoints.js';
import { ErrorBanner } from '../../components/error-banner.js';
import { Pager } from '../../components/pager.js';
import { formatDuration } from '../../format.js';
import type { PagerState } from '../../hooks/use-paged.js';
import { href } from '../../router.js';
import { useSession } from '../../session.js';
import type { QueueAction } from './queue-action-dialog.js';
import { messagesIn, plural, type QueueStats } from './queue-figures.js';

export const QUEUES_PER_PAGE = 50;

/** Loads one page of `GET /queues`. */
export async function loadQueuePage(api: ApiClient, cursor: string | undefined, signal: AbortSignal) {
  const answer = await api.call(routes.queues.list, { query: { limit: QUEUES_PER_PAGE, cursor }, signal });
  return { items: answer.queues, nextCursor: answer.nextCursor ?? null };
}

interface QueueListProps {
  queues: QueueStats[] | undefined;
  error: Error | null;
  pager: PagerState;
  selected: string | undefined;
  showPlatform: boolean;
  onAction: (action: QueueAction) => void;
}

/** Each queue's figures, its name linking to a peek at its messages; redrive and purge for an admin key. */
export function QueueList({ queues, error, pager, selected, showPlatform, onAction }: QueueListProps) {
  const { canWrite } = useSession();
  const shown = (queues ?? []).filter((q) => showPlatform || !q.internal);
  return (
    <>
      <ErrorBanner error={error} />
      <table>
        <thead>
          <tr>
            <th scope="col">Queue</th><th scope="col" class="num">Ready</th><th scope="col" class="num">In flight</th><th scope="col" class="num">Delayed</th>
            <th scope="col" class="num">Oldest</th><th scope="col" class="num">Dead letters</th>{canWrite ? <th scope="col">Actions</th> : null}
          </tr>
        </thead>
        <tbody>
          {shown.map((q) => (
            <tr key={q.name} data-queue={q.name} aria-current={q.name === selected ? 'true' : undefined}>
              <td><a href={href('queues', q.name)}>{q.name}</a>{q.internal ? <span class="muted"> (platform)</span> : null}</td>
              <td class="num" data-figure="depth">{q.depth}</td>
              <td class="num" data-figure="inFlight">{q.inFlight}</td>
              <td class="num" data-figure="delayed">{q.delayed}</td>
              <td class="num">{q.oldestAgeMs === null ? '–' : formatDuration(q.oldestAgeMs)}</td>
              <td class={`num${q.deadLettered > 0 ? ' outcome-failed' : ''}`} data-figure="deadLettered">{q.deadLettered}</td>
              {canWrite ? (
                <td><div class="row-actions">
                  {q.deadLettered > 0 ? (
                    <button type="button" class="secondary" onClick={() => onAction({ kind: 'redrive', queue: q.name, count: q.deadLettered, deadLetterQueue: false })}>
                      Redrive {plural(q.deadLettered, 'dead letter')}
                    </button>
                  ) : null}
                  {messagesIn(q) > 0 ? (
                    <button type="button" class="secondary" onClick={() => onAction({ kind: 'purge', queue: q.name, count: messagesIn(q) })}>Purge {q.name}</button>
                  ) : null}
                </div></td>
              ) : null}
            </tr>
          ))}
        </tbody>
      </table>
      {queues && shown.length === 0 ? <p class="empty">No queues yet: a queue comes into being with its first message.</p> : null}
      <Pager pager={pager} label="Queues" />
    </>
  );
}
