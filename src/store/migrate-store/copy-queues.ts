import { advanceSequence, copyTable, identitySequence, lastSqliteId } from './copy-table.js';
import { plural, type StoreArea } from './area.js';

interface NameRow { name: string; created_at: number }
interface MessageRow {
  seq: number; queue: string; body: string; priority: number; enqueued_at: number; visible_at: number;
  leased: number; attempts: number; last_error: string | null; dead_from: string | null;
}
interface DedupRow { queue: string; dedup_id: string; message_id: string; expires_at: number }

const MESSAGE_COLUMNS = ['seq', 'queue', 'body', 'priority', 'enqueued_at', 'visible_at', 'leased', 'attempts', 'last_error', 'dead_from'] as const;

/**
 * Every message with its id (the old seq), state, attempts, priority and
 * delay; dead letters keep the queue they came from. Leases end: the node
 * that held them is stopped, so a message in flight is ready again now,
 * its attempt counted (at-least-once delivery, as when a node dies). Dedup ids still
 * within their window come along; expired ones are left behind.
 */
export const queuesArea: StoreArea = {
  name: 'queues',
  async copy({ source, now }, target) {
    const queues = await copyTable<NameRow>(source, target, {
      select: 'SELECT name, created_at FROM queue_names',
      table: 'queue_names',
      columns: ['name', 'created_at'],
      values: (r) => [r.name, r.created_at],
    });
    let inFlight = 0;
    let dead = 0;
    const messages = await copyTable<MessageRow>(source, target, {
      select: `SELECT ${MESSAGE_COLUMNS.join(', ')} FROM queue_messages`,
      table: 'queue_messages',
      columns: MESSAGE_COLUMNS,
      values: (r) => {
        const leased = r.leased !== 0;
        if (leased) inFlight++;
        if (r.dead_from !== null) dead++;
        // A lease's visible_at is when it runs out; ended now, the message is ready now, the
        // attempt counted as releaseLeasesOf counts a stopped node's.
        return [
          r.seq, r.queue, r.body, r.priority, r.enqueued_at, leased ? Math.min(r.visible_at, now) : r.visible_at, false,
          leased ? r.attempts + 1 : r.attempts, r.last_error, r.dead_from,
        ];
      },
    });
    // Message ids are the seq: new messages must never reuse an id the old node gave out (dedup entries name them).
    await advanceSequence(target, await identitySequence(target, 'queue_messages', 'seq'), lastSqliteId(source, 'queue_messages', 'seq'));
    const dedup = await copyTable<DedupRow>(source, target, {
      select: `SELECT queue, dedup_id, message_id, expires_at FROM queue_dedup WHERE expires_at > ${Math.floor(now)}`,
      table: 'queue_dedup',
      columns: ['queue', 'dedup_id', 'message_id', 'expires_at'],
      values: (r) => [r.queue, r.dedup_id, r.message_id, r.expires_at],
    });
    return `${plural(queues, 'queue')}, ${plural(messages, 'message')} (${dead} dead-lettered, ${inFlight} in flight made ready), ${plural(dedup, 'dedup id')}`;
  },
};
