import type { SqliteDatabase } from './sqlite-database.js';
import type { Clock } from '../../shared/clock.js';
import type { AppRecord, AppStore, FunctionManifest, NewVersion, VersionRecord } from '../store.js';

interface AppRow { name: string; live_version: number | null; created_at: number; updated_at: number }
interface VersionRow {
  app: string; version: number; bundle_hash: string; source_map_hash: string | null;
  bundle_size: number; functions: string; created_at: number;
}

export class SqliteAppStore implements AppStore {
  readonly #statements;

  constructor(private readonly db: SqliteDatabase, private readonly clock: Clock) {
    db.exec(`
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
    `);
    this.#statements = {
      listApps: db.prepare<[], AppRow>('SELECT name, live_version, created_at, updated_at FROM apps ORDER BY name'),
      getApp: db.prepare<[string], AppRow>('SELECT name, live_version, created_at, updated_at FROM apps WHERE name = ?'),
      upsertApp: db.prepare<[string, number, number]>(
        'INSERT INTO apps (name, created_at, updated_at) VALUES (?, ?, ?) ON CONFLICT(name) DO NOTHING',
      ),
      takeVersion: db.prepare<[string], { next_version: number }>(
        'UPDATE apps SET next_version = next_version + 1 WHERE name = ? RETURNING next_version - 1 AS next_version',
      ),
      insertVersion: db.prepare(
        'INSERT INTO app_versions (app, version, bundle_hash, source_map_hash, bundle_size, functions, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
      ),
      setLive: db.prepare<[number, number, string]>('UPDATE apps SET live_version = ?, updated_at = ? WHERE name = ?'),
      listVersions: db.prepare<[string], VersionRow>('SELECT * FROM app_versions WHERE app = ? ORDER BY version'),
      getVersion: db.prepare<[string, number], VersionRow>('SELECT * FROM app_versions WHERE app = ? AND version = ?'),
      listLive: db.prepare<[], VersionRow>(
        'SELECT v.* FROM app_versions v JOIN apps a ON a.name = v.app AND a.live_version = v.version ORDER BY v.app',
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
      const number = s.takeVersion.get(app)!.next_version;
      s.insertVersion.run(app, number, version.bundleHash, version.sourceMapHash, version.bundleSize, JSON.stringify(version.functions), now);
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
    this.#statements.setLive.run(version, this.clock.now(), app);
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
    bundleSize: row.bundle_size, functions: JSON.parse(row.functions) as FunctionManifest[], createdAt: row.created_at,
  };
}
