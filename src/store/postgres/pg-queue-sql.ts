import { DEAD_LETTER_SUFFIX, LEASE_EXPIRED_ERROR } from '../queue-store.js';

/**
 * The PgQueueStore's statements. Most do their whole job in one statement
 * (one round trip, committed on its own): data-modifying CTEs write, and
 * `pg_notify` in the same statement is delivered when it commits.
 */

/** Channel of "messages of this queue may be receivable"; payload `<queue> <nodeId>`. */
export const CHANNEL = 'nimbus_queue';
/** First key of the advisory locks capped receives take (the second is the queue's hash). */
const QUEUE_LOCK_CLASS = 0x4e51; // "NQ"

const notify = (queue: string, node: string) => `pg_notify('${CHANNEL}', ${queue} || ' ' || ${node})`;

/**
 * $1 queues, $2 bodies, $3 priorities, $4 delays (ms), $5 now, $6/$7/$8 the
 * dedup rows to point at their message (queue, id, 1-based row), $9 every
 * queue of the group, $10 this node. Ids are drawn in row order, so a group
 * keeps first in, first out.
 */
export const INSERT_MESSAGES = `
WITH input AS MATERIALIZED (
  SELECT t.i, t.queue, t.body, t.priority, t.delay_ms, nextval('queue_messages_seq_seq') AS seq
    FROM unnest($1::text[], $2::text[], $3::bigint[], $4::bigint[]) WITH ORDINALITY AS t(queue, body, priority, delay_ms, i)
), inserted AS (
  INSERT INTO queue_messages (seq, queue, body, priority, enqueued_at, visible_at)
  SELECT seq, queue, body, priority, $5::bigint, $5::bigint + delay_ms FROM input
), dedup AS (
  UPDATE queue_dedup d SET message_id = input.seq::text
    FROM unnest($6::text[], $7::text[], $8::int[]) AS k(queue, dedup_id, i) JOIN input ON input.i = k.i
   WHERE d.queue = k.queue AND d.dedup_id = k.dedup_id
), names AS (
  INSERT INTO queue_names (name, created_at) SELECT name, $5::bigint FROM unnest($9::text[]) AS n(name) ON CONFLICT DO NOTHING
), notified AS (
  SELECT count(${notify('q', '$10::text')}) AS n FROM (SELECT DISTINCT queue AS q FROM input) x
)
SELECT input.i, input.seq::text AS seq FROM input, notified`;

/**
 * Claims dedup ids ($1 queues, $2 ids, $3 expiry, $4 now): returns those
 * that were free (new or expired). A row another transaction is writing is
 * waited for, then found taken.
 */
export const CLAIM_DEDUP = `
INSERT INTO queue_dedup (queue, dedup_id, message_id, expires_at)
SELECT queue, dedup_id, '', $3::bigint FROM unnest($1::text[], $2::text[]) AS k(queue, dedup_id)
ON CONFLICT (queue, dedup_id) DO UPDATE SET message_id = '', expires_at = excluded.expires_at
 WHERE queue_dedup.expires_at <= $4::bigint
RETURNING queue, dedup_id`;

export const FIND_DEDUP = `
SELECT d.queue, d.dedup_id, d.message_id
  FROM queue_dedup d JOIN unnest($1::text[], $2::text[]) AS k(queue, dedup_id) ON d.queue = k.queue AND d.dedup_id = k.dedup_id`;

export const SWEEP_DEDUP = 'DELETE FROM queue_dedup WHERE expires_at <= $1::bigint';

/** Serialises capped receives of one queue and consumer ($1 `<queue>/<consumer>`) until commit. */
export const LOCK_QUEUE = `SELECT pg_advisory_xact_lock(${QUEUE_LOCK_CLASS}, hashtext($1::text))`;

export interface LeaseRow {
  allowed: string;
  seq: string | null;
  body: string | null;
  priority: string | null;
  enqueued_at: string | null;
  attempts: number | null;
  last_error: string | null;
}

/**
 * Leases: $1 queue, $2 now, $3 max, $4 lease end, $5 node, $6 consumer,
 * $7 message whose batch to join (or null), $8 lease token, $9 batch size,
 * $10 cap in batches (or null). Each group of $9 messages, in delivery
 * order, shares one lease id. Always returns at least one row, carrying how
 * many the cap allowed (seq null when nothing was leased).
 */
export const LEASE = `
WITH joined AS (
  SELECT lease_id FROM queue_messages WHERE seq = $7::bigint AND leased
), allowed AS (
  SELECT CASE WHEN $10::int IS NULL THEN $3::bigint
         ELSE least($3::bigint, greatest(0, $10::int - (
           SELECT count(DISTINCT lease_id) FROM queue_messages
            WHERE queue = $1::text AND leased AND leased_for = $6::text AND visible_at > $2::bigint)) * $9::bigint) END AS n
), picked AS (
  SELECT seq, priority, visible_at FROM queue_messages
   WHERE queue = $1::text AND visible_at <= $2::bigint
   ORDER BY priority DESC, visible_at, seq
   LIMIT (SELECT n FROM allowed)
   FOR UPDATE SKIP LOCKED
), numbered AS (
  SELECT seq, row_number() OVER (ORDER BY priority DESC, visible_at, seq) AS n FROM picked
), leased AS (
  UPDATE queue_messages m
     SET leased = true, visible_at = $4::bigint,
         attempts = m.attempts + CASE WHEN m.leased THEN 1 ELSE 0 END,
         last_error = CASE WHEN m.leased THEN '${LEASE_EXPIRED_ERROR}' ELSE m.last_error END,
         leased_by = $5::text, leased_for = $6::text,
         lease_id = coalesce((SELECT lease_id FROM joined), $8::text || ':' || ((numbered.n - 1) / $9::bigint))
    FROM numbered WHERE m.seq = numbered.seq
  RETURNING m.seq, m.body, m.priority, m.enqueued_at, m.attempts, m.last_error
)
SELECT allowed.n AS allowed, leased.seq::text AS seq, leased.body, leased.priority, leased.enqueued_at, leased.attempts, leased.last_error
  FROM allowed LEFT JOIN leased ON true`;

/** $1 ids, $2 queues at their cap (their acks wake other nodes), $3 node. */
export const ACK = `
WITH gone AS (DELETE FROM queue_messages WHERE seq = ANY($1::bigint[]) RETURNING queue)
SELECT q AS queue, ${notify('q', '$3::text')} FROM (SELECT DISTINCT queue AS q FROM gone WHERE queue = ANY($2::text[])) x`;

/** $1 id, $2 visible at, $3 attempts to add, $4 error, $5 ready now, $6 queues at their cap, $7 node. */
export const RELEASE = `
WITH r AS (
  UPDATE queue_messages SET leased = false, visible_at = $2::bigint, attempts = attempts + $3::int, last_error = coalesce($4::text, last_error)
   WHERE seq = $1::bigint RETURNING queue
)
SELECT queue, ${notify('queue', '$7::text')} FROM r WHERE $5::boolean OR queue = ANY($6::text[])`;

/** $1 id, $2 target (null: the source's dead-letter queue), $3 now, $4 attempts to add, $5 error, $6 queues at their cap, $7 node. */
export const DEAD_LETTER = `
WITH moved AS (
  UPDATE queue_messages
     SET queue = coalesce($2::text, queue || '${DEAD_LETTER_SUFFIX}'), dead_from = queue, leased = false, visible_at = $3::bigint,
         attempts = attempts + $4::int, last_error = $5::text
   WHERE seq = $1::bigint RETURNING queue, dead_from
), names AS (
  INSERT INTO queue_names (name, created_at) SELECT queue, $3::bigint FROM moved ON CONFLICT DO NOTHING
)
SELECT queue, ${notify('queue', '$7::text')} FROM moved
UNION ALL
SELECT NULL, ${notify('dead_from', '$7::text')} FROM moved WHERE dead_from = ANY($6::text[])`;

export const NEXT_VISIBLE = 'SELECT min(visible_at)::text AS next FROM queue_messages WHERE queue = $1::text AND visible_at > $2::bigint';

export const NAMES = 'SELECT name FROM queue_names';

/** One index probe per queue of the prefix: asked every second, unlike the counts of every message. */
export const QUEUES_WITH_MESSAGES = `
  SELECT name FROM queue_names
   WHERE left(name, length($1::text)) = $1::text AND EXISTS (SELECT 1 FROM queue_messages m WHERE m.queue = queue_names.name)`;

export const STATS = `
SELECT queue, count(*) FILTER (WHERE visible_at <= $1::bigint) AS depth,
       count(*) FILTER (WHERE visible_at > $1::bigint AND leased) AS in_flight,
       count(*) FILTER (WHERE visible_at > $1::bigint AND NOT leased) AS delayed,
       min(enqueued_at) AS oldest
  FROM queue_messages GROUP BY queue`;

export const DEAD_STATS = 'SELECT dead_from, count(*) AS n FROM queue_messages WHERE dead_from IS NOT NULL GROUP BY dead_from';

export const PEEK = `
SELECT seq::text AS seq, queue, body, priority, enqueued_at, visible_at, leased, attempts, last_error, dead_from
  FROM queue_messages WHERE queue = $1::text ORDER BY priority DESC, visible_at, seq LIMIT $2::int`;

export const PURGE = 'WITH d AS (DELETE FROM queue_messages WHERE queue = $1::text RETURNING 1) SELECT count(*) AS n FROM d';

/** Messages leased right now (by a consumer of the dead-letter queue) stay where they are. $1 name, $2 now, $3 node. */
export const REDRIVE = `
WITH moved AS (
  UPDATE queue_messages SET queue = dead_from, dead_from = NULL, attempts = 0, last_error = NULL, leased = false, visible_at = $2::bigint
   WHERE ((queue = $1::text AND dead_from IS NOT NULL) OR dead_from = $1::text) AND NOT (leased AND visible_at > $2::bigint)
  RETURNING queue
)
SELECT queue, count(*) AS n, ${notify('queue', '$3::text')} FROM moved GROUP BY queue`;

/** $1 the node whose leases end, $2 now, $3 error, $4 this node. */
export const RELEASE_LEASES_OF = `
WITH freed AS (
  UPDATE queue_messages SET leased = false, visible_at = least(visible_at, $2::bigint), attempts = attempts + 1, last_error = $3::text
   WHERE leased AND leased_by = $1::text RETURNING queue
)
SELECT queue, count(*) AS n, ${notify('queue', '$4::text')} FROM freed GROUP BY queue`;
