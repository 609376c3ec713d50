import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { SqliteBlobIndex } from '../../../src/blobs/local/sqlite-blob-index.js';
import { IndexedBlobBackend, type IndexedBlobBackendOptions } from '../../../src/blobs/indexed-blob-backend.js';
import { createS3Location, type S3Location } from '../../../src/blobs/s3/s3-client.js';
import { S3DataStore } from '../../../src/blobs/s3/s3-data-store.js';
import type { S3BlobsConfig } from '../../../src/blobs/s3/s3-blobs-url.js';
import { systemClock } from '../../../src/shared/clock.js';
import { openDatabase, type SqliteDatabase } from '../../../src/store/sqlite/sqlite-database.js';
import { startS3Server, type S3TestServer } from '../../helpers/s3-server.js';

/**
 * One s3rver for a whole test file (each backend gets its own key prefix).
 * Call at the file's top level: the server is removed after the file's last test.
 */
export function useSharedS3Server(): () => Promise<S3TestServer> {
  let shared: Promise<S3TestServer> | undefined;
  after(async () => (await shared)?.remove());
  return () => (shared ??= startS3Server());
}

export interface TempS3Backend {
  dir: string;
  db: SqliteDatabase;
  index: SqliteBlobIndex;
  config: S3BlobsConfig;
  /** A client of our own, to look at the bucket behind the backend's back. */
  location: S3Location;
  /** The backend's own client (tests count the commands it sends). */
  dataLocation: S3Location;
  data: S3DataStore;
  backend: IndexedBlobBackend;
  /** Keys of the data objects under this backend's prefix. */
  dataKeys(): Promise<string[]>;
  dispose(): Promise<void>;
}

/** IndexedBlobBackend over an S3DataStore (its own prefix on `server`) and a SQLite index in a temp dir. */
export async function openS3Backend(
  server: S3TestServer,
  options: { query?: string; backend?: Partial<IndexedBlobBackendOptions> } = {},
): Promise<TempS3Backend> {
  const dir = await mkdtemp(join(tmpdir(), 'nimbus-s3blobs-'));
  const db = openDatabase(join(dir, 'state.db'));
  db.pragma('journal_mode = WAL');
  const index = new SqliteBlobIndex(db, systemClock);
  const config = server.config(`t-${randomUUID().slice(0, 8)}`, options.query);
  const dataLocation = createS3Location(config);
  const data = new S3DataStore({ location: dataLocation, partSizeBytes: config.partSizeBytes, queueSize: config.queueSize });
  const backend = new IndexedBlobBackend({ data, index, sweep: { graceMs: config.sweepGraceMs }, ...options.backend });
  const location = createS3Location(config);
  return {
    dir, db, index, config, location, dataLocation, data, backend,
    dataKeys: async () => {
      const listed = await location.client.send(new ListObjectsV2Command({ Bucket: config.bucket, Prefix: `${config.prefix}data/` }));
      return (listed.Contents ?? []).map((o) => o.Key ?? '').sort();
    },
    dispose: async () => {
      await backend.close();
      location.client.destroy();
      if (db.open) db.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
