import { bufferOf, type SqliteDatabase } from '../../store/sqlite/sqlite-database.js';
import type { Clock } from '../../shared/clock.js';
import type { BlobEventType } from '../../sdk/definition.js';
import type { BucketInfo, ListOptions, ListResult } from '../blob-backend.js';
import { BlobError } from '../blob-errors.js';
import { formatSequencer, type BlobEventRecord } from '../blob-event-log.js';
import type { BlobIndex, CommittedDelete, CommittedPut, IndexedObject, ObjectCommit } from '../blob-index.js';
import { conditionMatches } from '../etag.js';
import { validateBucketName } from '../blob-names.js';
import { listByRanges, validateCursorName, validateCursorPosition, validateReadLimit } from '../blob-listing.js';
import { migrateSqlite, type SqliteMigration } from '../../store/sqlite/sqlite-migrations.js';

export { MAX_CURSOR_NAME_LENGTH, MAX_DELIMITER_BYTES, MAX_READ_BATCH } from '../blob-listing.js';

/** Schema steps of this area; see migrateSqlite. */
export const BLOB_INDEX_MIGRATIONS: readonly SqliteMigration[] = [{ version: 1, sql: `
CREATE TABLE IF NOT EXISTS blob_buckets (
  name TEXT PRIMARY KEY,
  created_at INTEGER NOT NULL
);
-- Keys are BLOBs (UTF-8) so ordering is byte order and prefix ranges can end at 0xFF.
CREATE TABLE IF NOT EXISTS blob_objects (
  bucket TEXT NOT NULL,
  key BLOB NOT NULL,
  data_id TEXT NOT NULL UNIQUE,
  size INTEGER NOT NULL,
  etag TEXT NOT NULL,
  content_type TEXT NOT NULL,
  metadata TEXT NOT NULL,
  last_modified INTEGER NOT NULL,
  sequencer TEXT NOT NULL,
  PRIMARY KEY (bucket, key)
);
-- Kept when a bucket is deleted, so a re-created bucket never reuses a sequencer.
CREATE TABLE IF NOT EXISTS blob_sequences (
  bucket TEXT PRIMARY KEY,
  last_seq INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS blob_events (
  position INTEGER PRIMARY KEY AUTOINCREMENT,
  bucket TEXT NOT NULL,
  key TEXT NOT NULL,
  event_type TEXT NOT NULL,
  size INTEGER NOT NULL,
  etag TEXT NOT NULL,
  content_type TEXT NOT NULL,
  sequencer TEXT NOT NULL,
  at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS blob_event_cursors (
  name TEXT PRIMARY KEY,
  position INTEGER NOT NULL
);
` }];

interface ObjectRow {
  bucket: string;
  key: Uint8Array;
  data_id: string;
  size: number;
  etag: string;
  content_type: string;
  metadata: string;
  last_modified: number;
  sequencer: string;
}

interface EventRow {
  position: number;
  bucket: string;
  key: string;
  event_type: BlobEventType;
  size: number;
  etag: string;
  content_type: string;
  sequencer: string;
  at: number;
}

/** SQLite BlobIndex: the embedded default. Also the BlobEventLog. */
export class SqliteBlobIndex implements BlobIndex {
  readonly #db: SqliteDatabase;
  readonly #clock: Clock;
  readonly #listeners = new Set<(event: BlobEventRecord) => void>();
  readonly #stmt;
  readonly #commitPut: (commit: ObjectCommit) => { result: CommittedPut; event: BlobEventRecord };
  readonly #commitDelete: (bucket: string, key: string, ifMatch: string | undefined) => { result: CommittedDelete; event: BlobEventRecord | null };

  constructor(db: SqliteDatabase, clock: Clock) {
    this.#db = db;
    this.#clock = clock;
    migrateSqlite(db, 'blobs', BLOB_INDEX_MIGRATIONS);
    this.#stmt = {
      insertBucket: db.prepare('INSERT INTO blob_buckets (name, created_at) VALUES (?, ?) ON CONFLICT (name) DO NOTHING'),
      getBucket: db.prepare('SELECT name FROM blob_buckets WHERE name = ?'),
      listBuckets: db.prepare('SELECT name, created_at AS createdAt FROM blob_buckets ORDER BY name'),
      deleteBucket: db.prepare('DELETE FROM blob_buckets WHERE name = ?'),
      anyObject: db.prepare('SELECT 1 FROM blob_objects WHERE bucket = ? LIMIT 1'),
      getObject: db.prepare('SELECT * FROM blob_objects WHERE bucket = ? AND key = ?'),
      upsertObject: db.prepare(`INSERT INTO blob_objects (bucket, key, data_id, size, etag, content_type, metadata, last_modified, sequencer)
        VALUES (@bucket, @key, @dataId, @size, @etag, @contentType, @metadata, @lastModified, @sequencer)
        ON CONFLICT (bucket, key) DO UPDATE SET data_id = excluded.data_id, size = excluded.size, etag = excluded.etag,
          content_type = excluded.content_type, metadata = excluded.metadata, last_modified = excluded.last_modified, sequencer = excluded.sequencer`),
      deleteObject: db.prepare('DELETE FROM blob_objects WHERE bucket = ? AND key = ?'),
      nextSeq: db.prepare(`INSERT INTO blob_sequences (bucket, last_seq) VALUES (?, 1)
        ON CONFLICT (bucket) DO UPDATE SET last_seq = last_seq + 1 RETURNING last_seq AS seq`),
      insertEvent: db.prepare(`INSERT INTO blob_events (bucket, key, event_type, size, etag, content_type, sequencer, at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING position`),
      listPage: db.prepare(`SELECT * FROM blob_objects WHERE bucket = ? AND key > ? AND key >= ? AND key < ? ORDER BY key LIMIT ?`),
      readAfter: db.prepare(`SELECT * FROM blob_events
        WHERE position > coalesce((SELECT position FROM blob_event_cursors WHERE name = ?), 0) ORDER BY position LIMIT ?`),
      advance: db.prepare(`INSERT INTO blob_event_cursors (name, position) VALUES (?, ?)
        ON CONFLICT (name) DO UPDATE SET position = max(position, excluded.position)`),
      dataIdExists: db.prepare('SELECT 1 FROM blob_objects WHERE data_id = ?'),
    };
    // IMMEDIATE: take the write lock up front, so two connections never deadlock upgrading a read.
    this.#commitPut = db.transaction((c: ObjectCommit) => this.#putInTransaction(c)).immediate;
    this.#commitDelete = db.transaction((b: string, k: string, m: string | undefined) => this.#deleteInTransaction(b, k, m)).immediate;
  }

  async createBucket(bucket: string): Promise<{ created: boolean }> {
    validateBucketName(bucket);
    return { created: this.#stmt.insertBucket.run(bucket, this.#clock.now()).changes === 1 };
  }

  async listBuckets(): Promise<BucketInfo[]> {
    return this.#stmt.listBuckets.all() as BucketInfo[];
  }

  async bucketExists(bucket: string): Promise<boolean> {
    return this.#stmt.getBucket.get(bucket) !== undefined;
  }

  async deleteBucket(bucket: string): Promise<void> {
    validateBucketName(bucket);
    this.#db.transaction(() => {
      if (this.#stmt.getBucket.get(bucket) === undefined) throw new BlobError('NIMBUS_ERR_BLOB_BUCKET_NOT_FOUND', bucket, { bucket });
      if (this.#stmt.anyObject.get(bucket) !== undefined) throw new BlobError('NIMBUS_ERR_BLOB_BUCKET_NOT_EMPTY', bucket, { bucket });
      this.#stmt.deleteBucket.run(bucket);
    }).immediate();
  }

  async getObject(bucket: string, key: string): Promise<IndexedObject | undefined> {
    const row = this.#stmt.getObject.get(bucket, Buffer.from(key, 'utf8')) as ObjectRow | undefined;
    return row && toIndexedObject(row);
  }

  async commitPut(commit: ObjectCommit): Promise<CommittedPut> {
    const { result, event } = this.#commitPut(commit);
    this.#emit(event);
    return result;
  }

  async commitDelete(bucket: string, key: string, options: { ifMatch?: string }): Promise<CommittedDelete> {
    const { result, event } = this.#commitDelete(bucket, key, options.ifMatch);
    if (event) this.#emit(event);
    return result;
  }

  async list(bucket: string, options: ListOptions): Promise<ListResult> {
    if (this.#stmt.getBucket.get(bucket) === undefined) throw new BlobError('NIMBUS_ERR_BLOB_BUCKET_NOT_FOUND', bucket, { bucket });
    return listByRanges(options, async (after, low, high, limit) =>
      (this.#stmt.listPage.all(bucket, after, low, high, limit) as ObjectRow[]).map((row) => ({
        key: bufferOf(row.key), size: row.size, etag: row.etag, contentType: row.content_type, lastModified: row.last_modified,
      })));
  }

  async unreferencedDataIds(dataIds: string[]): Promise<string[]> {
    return dataIds.filter((id) => this.#stmt.dataIdExists.get(id) === undefined);
  }

  async readAfter(cursorName: string, limit: number): Promise<BlobEventRecord[]> {
    validateCursorName(cursorName);
    validateReadLimit(limit);
    return (this.#stmt.readAfter.all(cursorName, limit) as EventRow[]).map(toEventRecord);
  }

  async advance(cursorName: string, position: number): Promise<void> {
    validateCursorName(cursorName);
    validateCursorPosition(position);
    this.#stmt.advance.run(cursorName, position);
  }

  onEvent(listener: (event: BlobEventRecord) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
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

  #recordEvent(bucket: string, key: string, eventType: BlobEventType, o: { size: number; etag: string; contentType: string }, at: number): BlobEventRecord {
    const { seq } = this.#stmt.nextSeq.get(bucket) as { seq: number };
    const sequencer = formatSequencer(seq);
    const { position } = this.#stmt.insertEvent.get(bucket, key, eventType, o.size, o.etag, o.contentType, sequencer, at) as { position: number };
    return { position, bucket, key, eventType, size: o.size, etag: o.etag, contentType: o.contentType, sequencer, at };
  }

  #putInTransaction(c: ObjectCommit): { result: CommittedPut; event: BlobEventRecord } {
    const keyBytes = Buffer.from(c.key, 'utf8');
    const current = this.#stmt.getObject.get(c.bucket, keyBytes) as ObjectRow | undefined;
    if (c.ifMatch !== undefined && !conditionMatches(c.ifMatch, current?.etag)) {
      throw new BlobError('NIMBUS_ERR_BLOB_PRECONDITION_FAILED', current ? `If-Match: the current ETag is ${current.etag}` : 'If-Match: the object does not exist', { field: 'If-Match' });
    }
    if (c.ifNoneMatch !== undefined && conditionMatches(c.ifNoneMatch, current?.etag)) {
      throw new BlobError('NIMBUS_ERR_BLOB_PRECONDITION_FAILED', 'If-None-Match: the object exists', { field: 'If-None-Match' });
    }
    const now = this.#clock.now();
    this.#stmt.insertBucket.run(c.bucket, now);
    const eventType = current ? 'updated' : 'created';
    const event = this.#recordEvent(c.bucket, c.key, eventType, c, now);
    this.#stmt.upsertObject.run({
      bucket: c.bucket, key: keyBytes, dataId: c.dataId, size: c.size, etag: c.etag, contentType: c.contentType,
      metadata: JSON.stringify(c.metadata), lastModified: now, sequencer: event.sequencer,
    });
    return { result: { eventType, sequencer: event.sequencer, supersededDataId: current?.data_id ?? null }, event };
  }

  #deleteInTransaction(bucket: string, key: string, ifMatch: string | undefined): { result: CommittedDelete; event: BlobEventRecord | null } {
    if (this.#stmt.getBucket.get(bucket) === undefined) throw new BlobError('NIMBUS_ERR_BLOB_BUCKET_NOT_FOUND', bucket, { bucket });
    const keyBytes = Buffer.from(key, 'utf8');
    const current = this.#stmt.getObject.get(bucket, keyBytes) as ObjectRow | undefined;
    if (ifMatch !== undefined && !conditionMatches(ifMatch, current?.etag)) {
      throw new BlobError('NIMBUS_ERR_BLOB_PRECONDITION_FAILED', current ? `If-Match: the current ETag is ${current.etag}` : 'If-Match: the object does not exist', { field: 'If-Match' });
    }
    if (!current) return { result: { deleted: false, supersededDataId: null }, event: null };
    this.#stmt.deleteObject.run(bucket, keyBytes);
    const event = this.#recordEvent(bucket, key, 'deleted', { size: current.size, etag: current.etag, contentType: current.content_type }, this.#clock.now());
    return { result: { deleted: true, sequencer: event.sequencer, supersededDataId: current.data_id }, event };
  }
}

function toIndexedObject(row: ObjectRow): IndexedObject {
  return {
    bucket: row.bucket, key: bufferOf(row.key).toString('utf8'), dataId: row.data_id, size: row.size, etag: row.etag,
    contentType: row.content_type, metadata: JSON.parse(row.metadata) as Record<string, string>,
    lastModified: row.last_modified, sequencer: row.sequencer,
  };
}

function toEventRecord(row: EventRow): BlobEventRecord {
  return {
    position: row.position, bucket: row.bucket, key: row.key, eventType: row.event_type, size: row.size,
    etag: row.etag, contentType: row.content_type, sequencer: row.sequencer, at: row.at,
  };
}
