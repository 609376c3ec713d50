import { openDatabase, type SqliteDatabase } from '../../../src/store/sqlite/sqlite-database.js';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemClock, type Clock } from '../../../src/shared/clock.js';
import { LocalBlobBackend } from '../../../src/blobs/local/local-blob-backend.js';
import { SqliteBlobIndex } from '../../../src/blobs/local/sqlite-blob-index.js';

export interface TempLocalBackend {
  dir: string;
  db: SqliteDatabase;
  index: SqliteBlobIndex;
  backend: LocalBlobBackend;
  /** Closes the database, keeping the files (to reopen). */
  close(): Promise<void>;
  /** Closes and deletes everything. */
  dispose(): Promise<void>;
}

/** A real local backend on real files and a real SQLite file in `dir` (a new temp dir by default). */
export async function openLocalBackend(dir?: string, clock: Clock = systemClock): Promise<TempLocalBackend> {
  const root = dir ?? (await mkdtemp(join(tmpdir(), 'nimbus-blobs-')));
  const db = openDatabase(join(root, 'state.db'));
  db.pragma('journal_mode = WAL');
  const index = new SqliteBlobIndex(db, clock);
  const backend = await LocalBlobBackend.open({ root: join(root, 'blobs'), index });
  const close = async (): Promise<void> => {
    await backend.close();
    if (db.open) db.close();
  };
  return { dir: root, db, index, backend, close, dispose: async () => { await close(); await rm(root, { recursive: true, force: true }); } };
}
