import { routes } from '../../api/endpoints.js';
import { ConfirmDialog } from '../../components/confirm-dialog.js';
import { useSession } from '../../session.js';
import { plural } from './queue-figures.js';

/** What a queue action will do, with the count the page last saw. */
export type QueueAction =
  | { kind: 'purge'; queue: string; count: number }
  | { kind: 'redrive'; queue: string; count: number; deadLetterQueue: boolean };

/**
 * Asks before a purge or a redrive, naming the queue and how many messages,
 * then makes the same call as `nimbus queue purge` / `nimbus queue redrive`
 * and reports what the node says it did.
 */
export function QueueActionDialog({ action, onClose, onDone }: { action: QueueAction; onClose: () => void; onDone: (said: string) => void }) {
  const { api } = useSession();
  const params = { queue: action.queue };
  if (action.kind === 'purge') {
    return (
      <ConfirmDialog
        title={`Purge ${action.queue}?`}
        confirmLabel={`Purge ${plural(action.count, 'message')}`}
        danger
        onClose={onClose}
        onConfirm={async () => {
          const { purged } = await api.call(routes.queues.purge, { params });
          onDone(`Purged ${plural(purged, 'message')} from ${action.queue}.`);
        }}
      >
        <p>All {plural(action.count, 'message')} of {action.queue} (ready, delayed and in flight) will be deleted. This cannot be undone.</p>
      </ConfirmDialog>
    );
  }
  return (
    <ConfirmDialog
      title={`Redrive ${action.queue}?`}
      confirmLabel={`Redrive ${plural(action.count, 'message')}`}
      onClose={onClose}
      onConfirm={async () => {
        const { redriven } = await api.call(routes.queues.redrive, { params });
        onDone(`Redrove ${plural(redriven, 'message')} ${action.deadLetterQueue ? `from ${action.queue} to their queues` : `back to ${action.queue}`}.`);
      }}
    >
      <p>
        {action.deadLetterQueue
          ? `${cap(plural(action.count, 'message'))} in the dead-letter queue ${action.queue} will go back to the queues they came from,`
          : `${cap(plural(action.count, 'dead letter'))} of ${action.queue} will go back to it from the dead-letter queue,`}
        {' '}with attempts reset, and be delivered again.
      </p>
    </ConfirmDialog>
  );
}

function cap(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
