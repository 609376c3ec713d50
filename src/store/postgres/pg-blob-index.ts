import { randomUUID } from 'node:crypto';
import type { Clock } from '../../shared/clock.js';
import type { BlobEventType } from '../../sdk/definition.js';
import type { BucketInfo, ListOptions, ListResult } from '../../blobs/blob-backend.js';
import { BlobError } from '../../blobs/blob-errors.js';
import { formatSequencer, type BlobEventRecord } from '../../blobs/blob-event-log.js';
import type { BlobIndex, CommittedDelete, CommittedPut, IndexedObject, ObjectCommit } from '../../blobs/blob-index.js';
import { listByRanges, validateCursorName, validateCursorPosition, validateReadLimit } from '../../blobs/blob-listing.js';
import { validateBucketName } from '../../blobs/blob-names.js';
import { conditionMatches } from '../../blobs/etag.js';
import type { PgDatabase, PgQueryable } from './pg-database.js';
import type { PgNotifications } from './pg-notifications.js';

/** Every node's blob writes are announced here (payload: origin and event), so listeners on all nodes wake. */
export const BLOB_EVENTS_CHANNEL = 'nimbus_blob_events';

const OBJECT_COLUMNS = 'bucket, key, data_id, size, etag, content_type, metadata, last_modified, sequencer';

interface ObjectRow {
  bucket: string;
  key: Buffer;
  data_id: string;
  size: string;
  etag: string;
  content_type: string;
  metadata: string;
  last_modified: string;
  sequencer: string;
}

interface EventRow {
  position: string;
  bucket: string;
  key: string;
  event_type: BlobEventType;
  size: string;
  etag: string;
  content_type: string;
  sequencer: string;
  at: string;
}

export interface PgBlobIndexOptions {
  /** The node's LISTEN connection: without it, onEvent hears this process's writes only. */
  notifications?: PgNotifications;
}

/** Thrown inside a transaction to roll it back with a result (a delete that found nothing). */
class NothingToCommit {
  constructor(readonly result: CommittedDelete) {}
}

/**
 * BlobIndex on PostgreSQL, shared by every node. A write takes, in this
 * order: a share lock on its bucket's row (so the bucket cannot be deleted
 * under it), the bucket's sequence row (so writes to one bucket run one at a
 * time and conditions see the last committed object), and last the event
 * head (so event positions commit in order and a cursor never skips one).
 * Always the same order: no deadlocks.
 */
export class PgBlobIndex implements BlobIndex {
  readonly #db: PgDatabase;
  readonly #clock: Clock;
  readonly #notifications: PgNotifications | undefined;
  readonly #origin = randomUUID();
  readonly #listeners = new Set<(event: BlobEventRecord) => void>();
  #unlisten: Promise<() => void> | undefined;

  constructor(db: PgDatabase, clock: Clock, options: PgBlobIndexOptions = {}) {
    this.#db = db;
    this.#clock = clock;
    this.#notifications = options.notifications;
  }

  async createBucket(bucket: string): Promise<{ created: boolean }> {
    validateBucketName(bucket);
    const rows = await this.#db.query('INSERT INTO blob_buckets (name, created_at) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING RETURNING name', [bucket, this.#clock.now()]);
    return { created: rows.length === 1 };
  }

  async listBuckets(): Promise<BucketInfo[]> {
    const rows = await this.#db.query<{ name: string; created_at: string }>('SELECT name, created_at FROM blob_buckets ORDER BY name');
    return rows.map((row) => ({ name: row.name, createdAt: Number(row.created_at) }));
  }

  async bucketExists(bucket: string): Promise<boolean> {
    return (await this.#db.query('SELECT 1 FROM blob_buckets WHERE name = $1', [bucket])).length > 0;
  }

  async deleteBucket(bucket: string): Promise<void> {
    validateBucketName(bucket);
    await this.#db.transaction(async (tx) => {
      // FOR UPDATE waits for writes holding the bucket's share lock, so the emptiness check sees them.
      if ((await tx.query('SELECT 1 FROM blob_buckets WHERE name = $1 FOR UPDATE', [bucket])).length === 0) {
        throw new BlobError('NIMBUS_ERR_BLOB_BUCKET_NOT_FOUND', bucket, { bucket });
      }
      if ((await tx.query('SELECT 1 FROM blob_objects WHERE bucket = $1 LIMIT 1', [bucket])).length > 0) {
        throw new BlobError('NIMBUS_ERR_BLOB_BUCKET_NOT_EMPTY', bucket, { bucket });
      }
      await tx.query('DELETE FROM blob_buckets WHERE name = $1', [bucket]);
    });
  }

  async getObject(bucket: string, key: string): Promise<IndexedObject | undefined> {
    const [row] = await this.#db.query<ObjectRow>(`SELECT ${OBJECT_COLUMNS} FROM blob_objects WHERE bucket = $1 AND key = $2`, [bucket, Buffer.from(key, 'utf8')]);
    return row && toIndexedObject(row);
  }

  async commitPut(c: ObjectCommit): Promise<CommittedPut> {
    const { result, event } = await this.#db.transaction(async (tx) => {
      const now = this.#clock.now();
      await holdBucket(tx, c.bucket, now);
      const seq = await nextSequence(tx, c.bucket);
      const keyBytes = Buffer.from(c.key, 'utf8');
      // Read after the sequence lock: the last committed write of this key is visible.
      const [current] = await tx.query<ObjectRow>(`SELECT ${OBJECT_COLUMNS} FROM blob_objects WHERE bucket = $1 AND key = $2`, [c.bucket, keyBytes]);
      if (c.ifMatch !== undefined && !conditionMatches(c.ifMatch, current?.etag)) {
        throw new BlobError('NIMBUS_ERR_BLOB_PRECONDITION_FAILED', current ? `If-Match: the current ETag is ${current.etag}` : 'If-Match: the object does not exist', { field: 'If-Match' });
      }
      if (c.ifNoneMatch !== undefined && conditionMatches(c.ifNoneMatch, current?.etag)) {
        throw new BlobError('NIMBUS_ERR_BLOB_PRECONDITION_FAILED', 'If-None-Match: the object exists', { field: 'If-None-Match' });
      }
      const sequencer = formatSequencer(seq);
      await tx.query(
        `INSERT INTO blob_objects (${OBJECT_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
         ON CONFLICT (bucket, key) DO UPDATE SET data_id = excluded.data_id, size = excluded.size, etag = excluded.etag,
           content_type = excluded.content_type, metadata = excluded.metadata, last_modified = excluded.last_modified, sequencer = excluded.sequencer`,
        [c.bucket, keyBytes, c.dataId, c.size, c.etag, c.contentType, JSON.stringify(c.metadata), now, sequencer],
      );
      const eventType = current ? 'updated' : 'created';
      const event = await this.#recordEvent(tx, { bucket: c.bucket, key: c.key, eventType, size: c.size, etag: c.etag, contentType: c.contentType, sequencer, at: now });
      return { result: { eventType, sequencer, supersededDataId: current?.data_id ?? null } as CommittedPut, event };
    });
    this.#emit(event);
    return result;
  }

  async commitDelete(bucket: string, key: string, options: { ifMatch?: string }): Promise<CommittedDelete> {
    let committed: { result: CommittedDelete; event: BlobEventRecord };
    try {
      committed = await this.#db.transaction(async (tx) => {
        if ((await tx.query('SELECT 1 FROM blob_buckets WHERE name = $1', [bucket])).length === 0) {
          throw new BlobError('NIMBUS_ERR_BLOB_BUCKET_NOT_FOUND', bucket, { bucket });
        }
        // Every object's bucket has a sequence row (made by its first write, never deleted).
        const seq = await nextSequence(tx, bucket);
        const keyBytes = Buffer.from(key, 'utf8');
        const [current] = await tx.query<ObjectRow>(`SELECT ${OBJECT_COLUMNS} FROM blob_objects WHERE bucket = $1 AND key = $2`, [bucket, keyBytes]);
        if (options.ifMatch !== undefined && !conditionMatches(options.ifMatch, current?.etag)) {
          throw new BlobError('NIMBUS_ERR_BLOB_PRECONDITION_FAILED', current ? `If-Match: the current ETag is ${current.etag}` : 'If-Match: the object does not exist', { field: 'If-Match' });
        }
        // Rolls the sequence back too: a delete of nothing leaves no gap.
        if (!current) throw new NothingToCommit({ deleted: false, supersededDataId: null });
        await tx.query('DELETE FROM blob_objects WHERE bucket = $1 AND key = $2', [bucket, keyBytes]);
        const sequencer = formatSequencer(seq);
        const event = await this.#recordEvent(tx, {
          bucket, key, eventType: 'deleted', size: Number(current.size), etag: current.etag, contentType: current.content_type, sequencer, at: this.#clock.now(),
        });
        return { result: { deleted: true, sequencer, supersededDataId: current.data_id }, event };
      });
    } catch (err) {
      if (err instanceof NothingToCommit) return err.result;
      throw err;
    }
    this.#emit(committed.event);
    return committed.result;
  }

  async list(bucket: string, options: ListOptions): Promise<ListResult> {
    if (!(await this.bucketExists(bucket))) throw new BlobError('NIMBUS_ERR_BLOB_BUCKET_NOT_FOUND', bucket, { bucket });
    return listByRanges(options, async (after, low, high, limit) => {
      const rows = await this.#db.query<ObjectRow>(
        `SELECT key, size, etag, content_type, last_modified FROM blob_objects
         WHERE bucket = $1 AND key > $2 AND key >= $3 AND key < $4 ORDER BY key LIMIT $5`,
        [bucket, after, low, high, limit],
      );
      return rows.map((row) => ({ key: row.key, size: Number(row.size), etag: row.etag, contentType: row.content_type, lastModified: Number(row.last_modified) }));
    });
  }

  async unreferencedDataIds(dataIds: string[]): Promise<string[]> {
    if (dataIds.length === 0) return [];
    const rows = await this.#db.query<{ data_id: string }>('SELECT data_id FROM blob_objects WHERE data_id = ANY($1::text[])', [dataIds]);
    const referenced = new Set(rows.map((row) => row.data_id));
    return dataIds.filter((id) => !referenced.has(id));
  }

  async readAfter(cursorName: string, limit: number): Promise<BlobEventRecord[]> {
    validateCursorName(cursorName);
    validateReadLimit(limit);
    const rows = await this.#db.query<EventRow>(
      `SELECT * FROM blob_events
       WHERE position > coalesce((SELECT position FROM blob_event_cursors WHERE name = $1), 0) ORDER BY position LIMIT $2`,
      [cursorName, limit],
    );
    return rows.map(toEventRecord);
  }

  async advance(cursorName: string, position: number): Promise<void> {
    validateCursorName(cursorName);
    validateCursorPosition(position);
    await this.#db.query(
      `INSERT INTO blob_event_cursors (name, position) VALUES ($1, $2)
       ON CONFLICT (name) DO UPDATE SET position = greatest(blob_event_cursors.position, excluded.position)`,
      [cursorName, position],
    );
  }

  onEvent(listener: (event: BlobEventRecord) => void): () => void {
    this.#listeners.add(listener);
    if (this.#notifications && !this.#unlisten) {
      this.#unlisten = this.#notifications.listen(BLOB_EVENTS_CHANNEL, (payload) => this.#heard(payload));
      this.#unlisten.catch(() => {});
    }
    return () => {
      this.#listeners.delete(listener);
      if (this.#listeners.size === 0 && this.#unlisten) {
        void this.#unlisten.then((off) => off(), () => {});
        this.#unlisten = undefined;
      }
    };
  }

  /** Takes the event head (held to commit), records the event and announces it at commit. */
  async #recordEvent(tx: PgQueryable, e: Omit<BlobEventRecord, 'position'>): Promise<BlobEventRecord> {
    const [head] = await tx.query<{ last_position: string }>('UPDATE blob_event_head SET last_position = last_position + 1 RETURNING last_position');
    const event: BlobEventRecord = { position: Number(head!.last_position), ...e };
    await tx.query(
      `INSERT INTO blob_events (position, bucket, key, event_type, size, etag, content_type, sequencer, at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [event.position, event.bucket, event.key, event.eventType, event.size, event.etag, event.contentType, event.sequencer, event.at],
    );
    if (this.#notifications) {
      await tx.query('SELECT pg_notify($1, $2)', [BLOB_EVENTS_CHANNEL, JSON.stringify({ origin: this.#origin, event })]);
    }
    return event;
  }

  #heard(payload: string): void {
    let message: unknown;
    try {
      message = JSON.parse(payload);
    } catch {
      return;
    }
    if (typeof message !== 'object' || message === null) return;
    const { origin, event } = message as { origin?: unknown; event?: unknown };
    // This node's own writes were emitted when they committed; anything not shaped like an event is dropped.
    if (origin === this.#origin || typeof event !== 'object' || event === null || typeof (event as { position?: unknown }).position !== 'number') return;
    this.#emit(event as BlobEventRecord);
  }

  #emit(event: BlobEventRecord): void {
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch {
        // A wake-up hint only: a failing listener must not fail a write that already committed.
      }
    }
  }
}

/**
 * Makes sure the bucket exists and holds a share lock on its row to the
 * commit, so a concurrent deleteBucket waits for this write (and then finds
 * the bucket not empty). A bucket deleted while we waited is made again.
 */
async function holdBucket(tx: PgQueryable, bucket: string, now: number): Promise<void> {
  for (;;) {
    await tx.query('INSERT INTO blob_buckets (name, created_at) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING', [bucket, now]);
    if ((await tx.query('SELECT 1 FROM blob_buckets WHERE name = $1 FOR KEY SHARE', [bucket])).length > 0) return;
  }
}

/** The bucket's next sequence number; locks the bucket's sequence row to the commit. */
async function nextSequence(tx: PgQueryable, bucket: string): Promise<number> {
  const [row] = await tx.query<{ last_seq: string }>(
    `INSERT INTO blob_sequences (bucket, last_seq) VALUES ($1, 1)
     ON CONFLICT (bucket) DO UPDATE SET last_seq = blob_sequences.last_seq + 1 RETURNING last_seq`,
    [bucket],
  );
  return Number(row!.last_seq);
}

function toIndexedObject(row: ObjectRow): IndexedObject {
  return {
    bucket: row.bucket, key: row.key.toString('utf8'), dataId: row.data_id, size: Number(row.size), etag: row.etag,
    contentType: row.content_type, metadata: JSON.parse(row.metadata) as Record<string, string>,
    lastModified: Number(row.last_modified), sequencer: row.sequencer,
  };
}

function toEventRecord(row: EventRow): BlobEventRecord {
  return {
    position: Number(row.position), bucket: row.bucket, key: row.key, eventType: row.event_type, size: Number(row.size),
    etag: row.etag, contentType: row.content_type, sequencer: row.sequencer, at: Number(row.at),
  };
}
