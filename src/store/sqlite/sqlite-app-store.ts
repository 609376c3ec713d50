import type { SqliteDatabase } from './sqlite-database.js';
import type { Clock } from '../../shared/clock.js';
import { NimbusError } from '../../shared/errors.js';
import type { AppRecord, AppStore, NewVersion, VersionRecord } from '../store.js';
import { migrateSqlite, type SqliteMigration } from './sqlite-migrations.js';
import { encodeManifests, readManifests, VERSION_READ_COLUMNS } from '../stored-manifests.js';

/** Schema steps of this area; see migrateSqlite. */
export const APP_MIGRATIONS: readonly SqliteMigration[] = [
  { version: 1, sql: `
CREATE TABLE IF NOT EXISTS apps (
  name TEXT PRIMARY KEY,
  live_version INTEGER,
  next_version INTEGER NOT NULL DEFAULT 1,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS app_versions (
  app TEXT NOT NULL,
  version INTEGER NOT NULL,
  bundle_hash TEXT NOT NULL,
  source_map_hash TEXT,
  bundle_size INTEGER NOT NULL,
  functions TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (app, version)
);
` },
  // Numbers outlive the app: apps.next_version went with a removed app, so a
  // redeploy reused app@1 for other code. apps.next_version is no longer read.
  { version: 2, sql: `
CREATE TABLE app_version_counters (
  app TEXT PRIMARY KEY,
  last_version INTEGER NOT NULL
) WITHOUT ROWID;
INSERT INTO app_version_counters (app, last_version) SELECT name, next_version - 1 FROM apps WHERE next_version > 1;
` },
  // The manifests in the compact form (see stored-manifests.ts). A data folder is one node's, and an earlier
  // release refuses it once it has this step: new versions keep the compact form alone, and those stored
  // before keep the plain array. The table is made again because a column cannot lose NOT NULL in place.
  { version: 3, sql: `
CREATE TABLE app_versions_v3 (
  app TEXT NOT NULL,
  version INTEGER NOT NULL,
  bundle_hash TEXT NOT NULL,
  source_map_hash TEXT,
  bundle_size INTEGER NOT NULL,
  functions TEXT,
  manifests TEXT,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (app, version),
  CHECK ((functions IS NULL) <> (manifests IS NULL))
);
INSERT INTO app_versions_v3 (app, version, bundle_hash, source_map_hash, bundle_size, functions, created_at)
  SELECT app, version, bundle_hash, source_map_hash, bundle_size, functions, created_at FROM app_versions;
DROP TABLE app_versions;
ALTER TABLE app_versions_v3 RENAME TO app_versions;
` },
];

interface AppRow { name: string; live_version: number | null; created_at: number; updated_at: number }
/** A version as VERSION_READ_COLUMNS reads it. */
interface VersionRow {
  app: string; version: number; bundle_hash: string; source_map_hash: string | null;
  bundle_size: number; manifests: string | null; functions: string | null; created_at: number;
}

export class SqliteAppStore implements AppStore {
  readonly #statements;

  constructor(private readonly db: SqliteDatabase, private readonly clock: Clock) {
    migrateSqlite(db, 'apps', APP_MIGRATIONS);
    this.#statements = {
      listApps: db.prepare<[], AppRow>('SELECT name, live_version, created_at, updated_at FROM apps ORDER BY name'),
      getApp: db.prepare<[string], AppRow>('SELECT name, live_version, created_at, updated_at FROM apps WHERE name = ?'),
      upsertApp: db.prepare<[string, number, number]>(
        'INSERT INTO apps (name, created_at, updated_at) VALUES (?, ?, ?) ON CONFLICT(name) DO NOTHING',
      ),
      takeVersion: db.prepare<[string], { last_version: number }>(
        `INSERT INTO app_version_counters (app, last_version) VALUES (?, 1)
         ON CONFLICT (app) DO UPDATE SET last_version = last_version + 1 RETURNING last_version`,
      ),
      insertVersion: db.prepare(
        'INSERT INTO app_versions (app, version, bundle_hash, source_map_hash, bundle_size, manifests, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
      ),
      setLive: db.prepare<[number, number, string]>('UPDATE apps SET live_version = ?, updated_at = ? WHERE name = ?'),
      setExistingLive: db.prepare<{ app: string; version: number; now: number }>(
        `UPDATE apps SET live_version = :version, updated_at = :now
         WHERE name = :app AND EXISTS (SELECT 1 FROM app_versions WHERE app = :app AND version = :version)`,
      ),
      listVersions: db.prepare<[string], VersionRow>(`SELECT ${VERSION_READ_COLUMNS} FROM app_versions v WHERE app = ? ORDER BY version`),
      getVersion: db.prepare<[string, number], VersionRow>(`SELECT ${VERSION_READ_COLUMNS} FROM app_versions v WHERE app = ? AND version = ?`),
      listLive: db.prepare<[], VersionRow>(
        `SELECT ${VERSION_READ_COLUMNS} FROM app_versions v JOIN apps a ON a.name = v.app AND a.live_version = v.version ORDER BY v.app`,
      ),
      removeApp: db.prepare<[string]>('DELETE FROM apps WHERE name = ?'),
      removeVersions: db.prepare<[string]>('DELETE FROM app_versions WHERE app = ?'),
      referencedHashes: db.prepare<[], { hash: string }>(
        'SELECT bundle_hash AS hash FROM app_versions UNION SELECT source_map_hash FROM app_versions WHERE source_map_hash IS NOT NULL',
      ),
    };
  }

  async list(): Promise<AppRecord[]> {
    return this.#statements.listApps.all().map(toApp);
  }

  async get(app: string): Promise<AppRecord | undefined> {
    const row = this.#statements.getApp.get(app);
    return row ? toApp(row) : undefined;
  }

  async createVersion(app: string, version: NewVersion): Promise<VersionRecord> {
    const s = this.#statements;
    const create = this.db.transaction((): VersionRecord => {
      const now = this.clock.now();
      s.upsertApp.run(app, now, now);
      const number = s.takeVersion.get(app)!.last_version;
      s.insertVersion.run(app, number, version.bundleHash, version.sourceMapHash, version.bundleSize, encodeManifests(version.functions), now);
      s.setLive.run(number, now, app);
      return { app, version: number, ...version, createdAt: now };
    });
    return create.immediate();
  }

  async listVersions(app: string): Promise<VersionRecord[]> {
    return this.#statements.listVersions.all(app).map(toVersion);
  }

  async getVersion(app: string, version: number): Promise<VersionRecord | undefined> {
    const row = this.#statements.getVersion.get(app, version);
    return row ? toVersion(row) : undefined;
  }

  async listLive(): Promise<VersionRecord[]> {
    return this.#statements.listLive.all().map(toVersion);
  }

  async setLive(app: string, version: number): Promise<void> {
    if (this.#statements.setExistingLive.run({ app, version, now: this.clock.now() }).changes > 0) return;
    if (this.#statements.getApp.get(app) === undefined) throw new NimbusError('NIMBUS_ERR_APP_NOT_FOUND', app, { app });
    throw new NimbusError('NIMBUS_ERR_VERSION_NOT_FOUND', `${app} has no version ${version}`, { app, version });
  }

  async referencedBundleHashes(): Promise<Set<string>> {
    return new Set(this.#statements.referencedHashes.all().map((row) => row.hash));
  }

  async remove(app: string): Promise<boolean> {
    const s = this.#statements;
    return this.db.transaction(() => {
      s.removeVersions.run(app);
      return s.removeApp.run(app).changes > 0;
    }).immediate();
  }
}

function toApp(row: AppRow): AppRecord {
  return { name: row.name, liveVersion: row.live_version, createdAt: row.created_at, updatedAt: row.updated_at };
}

function toVersion(row: VersionRow): VersionRecord {
  return {
    app: row.app, version: row.version, bundleHash: row.bundle_hash, sourceMapHash: row.source_map_hash,
    bundleSize: row.bundle_size, functions: readManifests(row), createdAt: row.created_at,
  };
}
