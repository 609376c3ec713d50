import type { BlobsConfig } from '../../blobs/s3/s3-blobs-url.js';
import type { PgQueryable } from '../postgres/pg-database.js';
import type { SqliteDatabase } from '../sqlite/sqlite-database.js';

/** What every area's copy reads from and writes to. */
export interface MigrationContext {
  /** The node's SQLite state file, brought to today's schema. */
  source: SqliteDatabase;
  /** The node's data folder (local blobs and bundles live in it). */
  dataDir: string;
  /** Where blobs and bundles go: the data folder (nothing moves) or an S3 bucket. */
  blobs: BlobsConfig;
  /** The moment of the migration: leases end now, expired dedup ids are left behind. */
  now: number;
}

/** One area of the store: copied in one PostgreSQL transaction; says what it copied in one line. */
export interface StoreArea {
  name: string;
  copy(context: MigrationContext, target: PgQueryable): Promise<string>;
}

export function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}
