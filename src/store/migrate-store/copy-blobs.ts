import type { BlobDataStore } from '../../blobs/blob-data-store.js';
import { copyTable, lastSqliteId } from './copy-table.js';
import { plural, type StoreArea } from './area.js';

interface BucketRow { name: string; created_at: number }
interface SequenceRow { bucket: string; last_seq: number }
interface ObjectRow {
  bucket: string; key: Uint8Array; data_id: string; size: number; etag: string; content_type: string;
  metadata: string; last_modified: number; sequencer: string;
}
interface EventRow {
  position: number; bucket: string; key: string; event_type: string; size: number; etag: string;
  content_type: string; sequencer: string; at: number;
}
interface CursorRow { name: string; position: number }

const OBJECT_COLUMNS = ['bucket', 'key', 'data_id', 'size', 'etag', 'content_type', 'metadata', 'last_modified', 'sequencer'] as const;
const EVENT_COLUMNS = ['position', 'bucket', 'key', 'event_type', 'size', 'etag', 'content_type', 'sequencer', 'at'] as const;
/** Objects whose bytes stream at once: a few uploads in flight, each with bounded memory. */
const PARALLEL_UPLOADS = 4;

/** Where the bytes of blobs go: nowhere (local blobs stay in the data folder) or from the folder into another data store. */
export interface BlobBytesMove {
  from: BlobDataStore;
  to: BlobDataStore;
  /** The target, as it may be printed. */
  describe: string;
}

/**
 * Buckets, objects, the event log with its positions and every consumer's
 * cursor. With a new data store the bytes of each object stream there first,
 * under the same data id (ids are random and the target is empty), and must
 * hash to the etag the index holds; only then is the index row written.
 */
export function blobsArea(move: BlobBytesMove | undefined): StoreArea {
  return {
    name: 'blobs',
    async copy({ source }, target) {
      const buckets = await copyTable<BucketRow>(source, target, {
        select: 'SELECT name, created_at FROM blob_buckets',
        table: 'blob_buckets',
        columns: ['name', 'created_at'],
        values: (r) => [r.name, r.created_at],
      });
      await copyTable<SequenceRow>(source, target, {
        select: 'SELECT bucket, last_seq FROM blob_sequences',
        table: 'blob_sequences',
        columns: ['bucket', 'last_seq'],
        values: (r) => [r.bucket, r.last_seq],
      });
      let bytes = 0;
      let missing = 0;
      const objects = await copyTable<ObjectRow>(source, target, {
        select: `SELECT ${OBJECT_COLUMNS.join(', ')} FROM blob_objects`,
        table: 'blob_objects',
        columns: OBJECT_COLUMNS,
        values: (r) => OBJECT_COLUMNS.map((c) => r[c]),
        beforeInsert: move && (async (rows) => {
          for (let i = 0; i < rows.length; i += PARALLEL_UPLOADS) {
            const copied = await Promise.all(rows.slice(i, i + PARALLEL_UPLOADS).map((row) => copyBytes(move, row)));
            for (const size of copied) {
              if (size === undefined) missing++;
              else bytes += size;
            }
          }
        }),
      });
      const events = await copyTable<EventRow>(source, target, {
        select: `SELECT ${EVENT_COLUMNS.join(', ')} FROM blob_events`,
        table: 'blob_events',
        columns: EVENT_COLUMNS,
        values: (r) => EVENT_COLUMNS.map((c) => r[c]),
      });
      const lastPosition = lastSqliteId(source, 'blob_events', 'position');
      if (lastPosition > 0) await target.query('UPDATE blob_event_head SET last_position = $1', [lastPosition]);
      const cursors = await copyTable<CursorRow>(source, target, {
        select: 'SELECT name, position FROM blob_event_cursors',
        table: 'blob_event_cursors',
        columns: ['name', 'position'],
        values: (r) => [r.name, r.position],
      });
      const where = move
        ? `, ${plural(bytes, 'byte')} copied to ${move.describe}${missing > 0 ? ` (${missing} without data in the folder, copied as they were)` : ''}`
        : ' (bytes stay in the data folder)';
      return `${plural(buckets, 'bucket')}, ${plural(objects, 'object')}${where}, ${plural(events, 'event')}, ${plural(cursors, 'cursor')}`;
    },
  };
}

/** The object's size once its bytes are in the target, or undefined when the folder has no data for it. */
async function copyBytes(move: BlobBytesMove, row: ObjectRow): Promise<number | undefined> {
  const body = await move.from.read(row.data_id);
  if (!body) return undefined;
  // Never more than the index says the object holds.
  const written = await move.to.write(row.data_id, body, row.size);
  if (written.etag !== row.etag || written.size !== row.size) {
    const key = Buffer.from(row.key).toString('utf8');
    throw new Error(`blob ${row.bucket}/${key}: the data file holds ${written.size} bytes with etag ${written.etag}, the index says ${row.size} bytes with etag ${row.etag}`);
  }
  return written.size;
}
