import './panels.css';
import { useState } from 'preact/hooks';
import { usePaged } from '../hooks/use-paged.js';
import type { PageProps } from '../router.js';
import { useSession } from '../session.js';
import { PeekPanel } from './queues/peek-panel.js';
import { QueueActionDialog, type QueueAction } from './queues/queue-action-dialog.js';
import type { QueueStats } from './queues/queue-figures.js';
import { loadQueuePage, QueueList } from './queues/queue-list.js';

const REFRESH_MS = 2_000;

/** `#/queues` lists them; `#/queues/<name>` also peeks at that one's messages. */
export function QueuesPage({ parts }: PageProps) {
  const { api } = useSession();
  const selected = parts[0];
  const [showPlatform, setShowPlatform] = useState(false);
  const [action, setAction] = useState<QueueAction | null>(null);
  const [said, setSaid] = useState('');
  // Bumped after an action so the peek loads again at once, as the list does.
  const [version, setVersion] = useState(0);
  const { page, error, pager, refresh } = usePaged<QueueStats>((cursor, signal) => loadQueuePage(api, cursor, signal), REFRESH_MS, [api]);

  return (
    <section class="page queues">
      <h1>Queues</h1>
      <div class="filters">
        <input id="show-platform" type="checkbox" checked={showPlatform} onChange={(e) => setShowPlatform(e.currentTarget.checked)} />
        <label for="show-platform">Show platform queues (asynchronous invocations, blob events)</label>
      </div>
      <p class="status" role="status">{said}</p>
      <QueueList queues={page?.items} error={error} pager={pager} selected={selected} showPlatform={showPlatform} onAction={setAction} />
      {selected ? <PeekPanel key={selected} queue={selected} stats={page?.items.find((q) => q.name === selected)} onAction={setAction} version={version} /> : null}
      {action ? (
        <QueueActionDialog
          action={action}
          onClose={() => setAction(null)}
          onDone={(message) => {
            setSaid(message);
            refresh();
            setVersion((v) => v + 1);
          }}
        />
      ) : null}
    </section>
  );
}
