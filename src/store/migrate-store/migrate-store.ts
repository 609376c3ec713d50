import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { BlobDataStore } from '../../blobs/blob-data-store.js';
import type { BundleStore } from '../../blobs/bundles/bundle-store.js';
import { LocalDataStore } from '../../blobs/local/local-data-store.js';
import { openBlobDataStore, openBundleStore } from '../../blobs/open-blob-storage.js';
import { describeBlobsConfig, type BlobsConfig } from '../../blobs/s3/s3-blobs-url.js';
import { DataFolderInUseError, lockDataFolder, type DataFolderLock } from '../../server/data-folder-lock.js';
import { maskUrl } from '../../server/storage-config.js';
import { systemClock, type Clock } from '../../shared/clock.js';
import { migratePostgres } from '../postgres/migrate.js';
import { POSTGRES_MIGRATIONS } from '../postgres/migrations/index.js';
import { PgDatabase } from '../postgres/pg-database.js';
import { openSqlite } from '../sqlite/open-sqlite.js';
import type { SqliteDatabase } from '../sqlite/sqlite-database.js';
import { openSqliteStore, STATE_FILE } from '../sqlite/sqlite-store.js';
import type { StoreArea } from './area.js';
import { appsArea } from './copy-apps.js';
import { asyncResultsArea } from './copy-async-results.js';
import { keysArea, secretsArea } from './copy-auth.js';
import { budgetsArea } from './copy-budgets.js';
import { blobsArea, type BlobBytesMove } from './copy-blobs.js';
import { bundlesArea, type BundlesMove } from './copy-bundles.js';
import { logsArea, meteringArea } from './copy-metering-logs.js';
import { queuesArea } from './copy-queues.js';
import { timersArea } from './copy-timers.js';
import { runningNodeOf } from './node-probe.js';
import { nimbusDataIn } from './target-check.js';

export interface MigrateStoreOptions {
  /** The stopped node's data folder: its state file, local blobs and bundles. */
  dataDir: string;
  /** The PostgreSQL database to fill (postgres://…); it must hold no Nimbus data. */
  targetUrl: string;
  /** Where the cluster keeps blobs and bundles: the data folder (nothing moves) or S3. */
  blobs: BlobsConfig;
  /** Told one line per area as it is done. */
  progress(line: string): void;
  clock?: Clock;
}

/** The migration cannot start or did not finish; the message is one line for the operator. */
export class MigrateStoreError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MigrateStoreError';
  }
}

/**
 * Moves a single node's data into PostgreSQL (and its blobs and bundles into
 * S3 when asked): the node must be stopped and the database empty of Nimbus
 * data. Each area is copied in its own transaction, table by table in
 * batches, ids and times kept. A run that fails part-way leaves the database
 * partly filled: drop its schema (or the database) and run again.
 */
export async function migrateStore(options: MigrateStoreOptions): Promise<void> {
  const { dataDir } = options;
  const clock = options.clock ?? systemClock;
  const stateFile = join(dataDir, STATE_FILE);
  if (!existsSync(stateFile)) throw new MigrateStoreError(`${dataDir} holds no ${STATE_FILE}: not a node's data folder`);
  const running = await runningNodeOf(dataDir);
  if (running !== undefined) throw new MigrateStoreError(`the node of ${dataDir} is running at ${running}: stop it first`);
  // Held while copying: a node started meanwhile is refused instead of writing what the copy would miss.
  let lock: DataFolderLock;
  try {
    lock = lockDataFolder(dataDir);
  } catch (err) {
    if (err instanceof DataFolderInUseError) throw new MigrateStoreError(`the node of ${dataDir} is running${err.otherUrl ? ` at ${err.otherUrl}` : ''}: stop it first`);
    throw err;
  }
  try {
    await copyStoppedNode(options, clock, stateFile);
  } finally {
    lock.release();
  }
}

async function copyStoppedNode(options: MigrateStoreOptions, clock: Clock, stateFile: string): Promise<void> {
  const { dataDir, targetUrl } = options;
  // Today's store brings an older release's file to the current schema (what its next start would do).
  await openSqliteStore(dataDir, clock).close();

  const shown = maskUrl(targetUrl);
  try {
    await migratePostgres(targetUrl, POSTGRES_MIGRATIONS);
  } catch (err) {
    throw new MigrateStoreError(`cannot use PostgreSQL at ${shown}: ${messageOf(err)}`);
  }
  const target = new PgDatabase(targetUrl, { applicationName: 'nimbus migrate-store', poolSize: 2 });
  const opened: { close(): Promise<void> }[] = [];
  let source: SqliteDatabase | undefined;
  try {
    const present = await nimbusDataIn(target);
    if (present.length > 0) throw new MigrateStoreError(`${shown} already holds Nimbus data (${present.join(', ')}): migrate into an empty database`);

    const moves = await openMoves(options, opened);
    source = openSqlite(stateFile);
    const context = { source, dataDir, blobs: options.blobs, now: clock.now() };
    const areas: StoreArea[] = [
      bundlesArea(moves.bundles), appsArea, keysArea, secretsArea, budgetsArea, timersArea, queuesArea,
      asyncResultsArea, blobsArea(moves.blobBytes), meteringArea, logsArea,
    ];
    for (const area of areas) {
      let line: string;
      try {
        line = await target.transaction((tx) => area.copy(context, tx));
      } catch (err) {
        throw new MigrateStoreError(`copying ${area.name} into ${shown} failed: ${messageOf(err)} (the database is partly filled: drop it, or its tables, before running again)`);
      }
      options.progress(`${area.name}: ${line}`);
    }
  } finally {
    source?.close();
    for (const part of opened.reverse()) await part.close().catch(() => {});
    await target.close();
  }
}

/** With S3 blobs: the folder's data files as the source, the bucket as the target, and the shared bundle store. */
async function openMoves(
  options: MigrateStoreOptions, opened: { close(): Promise<void> }[],
): Promise<{ blobBytes?: BlobBytesMove; bundles?: BundlesMove }> {
  if (options.blobs.kind === 'file') return {};
  const describe = describeBlobsConfig(options.blobs);
  const deps = { dataDir: options.dataDir };
  let to: BlobDataStore;
  let bundles: BundleStore;
  try {
    ({ data: to } = await openBlobDataStore(options.blobs, deps));
    opened.push(to);
    bundles = await openBundleStore(options.blobs, deps);
    opened.push(bundles);
  } catch (err) {
    throw new MigrateStoreError(`cannot use the blob store ${describe}: ${messageOf(err)}`);
  }
  const from = await LocalDataStore.open(join(options.dataDir, 'blobs'));
  opened.push(from);
  return { blobBytes: { from, to, describe }, bundles: { folder: join(options.dataDir, 'bundles'), to: bundles, describe } };
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
