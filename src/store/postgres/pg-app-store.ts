import type { Clock } from '../../shared/clock.js';
import { NimbusError } from '../../shared/errors.js';
import type { AppRecord, AppStore, NewVersion, VersionRecord } from '../store.js';
import type { PgDatabase } from './pg-database.js';
import { encodeManifests, readManifests, VERSION_READ_COLUMNS } from '../stored-manifests.js';

interface AppRow { name: string; live_version: number | null; created_at: string; updated_at: string }
/** A version as VERSION_READ_COLUMNS reads it. */
interface VersionRow {
  app: string; version: number; bundle_hash: string; source_map_hash: string | null;
  bundle_size: string; manifests: string | null; functions: string | null; created_at: string;
}

const APP_COLUMNS = 'name, live_version, created_at, updated_at';
const VERSION_INSERT_COLUMNS = 'app, version, bundle_hash, source_map_hash, bundle_size, functions, manifests, created_at';

/**
 * Apps and versions in PostgreSQL. Every write to one app takes its row in
 * app_version_counters first, so deploys and removals of an app through
 * different nodes run one after another, and numbers are never reused.
 */
export class PgAppStore implements AppStore {
  readonly #db: PgDatabase;
  readonly #clock: Clock;

  constructor(db: PgDatabase, clock: Clock) {
    this.#db = db;
    this.#clock = clock;
  }

  async list(): Promise<AppRecord[]> {
    return (await this.#db.query<AppRow>(`SELECT ${APP_COLUMNS} FROM apps ORDER BY name`)).map(toApp);
  }

  async get(app: string): Promise<AppRecord | undefined> {
    const [row] = await this.#db.query<AppRow>(`SELECT ${APP_COLUMNS} FROM apps WHERE name = $1`, [app]);
    return row && toApp(row);
  }

  createVersion(app: string, version: NewVersion): Promise<VersionRecord> {
    return this.#db.transaction(async (tx) => {
      const now = this.#clock.now();
      const [counter] = await tx.query<{ last_version: number }>(
        `INSERT INTO app_version_counters (app, last_version) VALUES ($1, 1)
         ON CONFLICT (app) DO UPDATE SET last_version = app_version_counters.last_version + 1 RETURNING last_version`,
        [app],
      );
      const number = counter!.last_version;
      await tx.query(
        `INSERT INTO apps (name, live_version, created_at, updated_at) VALUES ($1, $2, $3, $3)
         ON CONFLICT (name) DO UPDATE SET live_version = excluded.live_version, updated_at = excluded.updated_at`,
        [app, number, now],
      );
      await tx.query(
        `INSERT INTO app_versions (${VERSION_INSERT_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
        [app, number, version.bundleHash, version.sourceMapHash, version.bundleSize, JSON.stringify(version.functions), encodeManifests(version.functions), now],
      );
      return { app, version: number, ...version, createdAt: now };
    });
  }

  async listVersions(app: string): Promise<VersionRecord[]> {
    return (await this.#db.query<VersionRow>(`SELECT ${VERSION_READ_COLUMNS} FROM app_versions v WHERE app = $1 ORDER BY version`, [app])).map(toVersion);
  }

  async getVersion(app: string, version: number): Promise<VersionRecord | undefined> {
    const [row] = await this.#db.query<VersionRow>(`SELECT ${VERSION_READ_COLUMNS} FROM app_versions v WHERE app = $1 AND version = $2`, [app, version]);
    return row && toVersion(row);
  }

  async listLive(): Promise<VersionRecord[]> {
    const rows = await this.#db.query<VersionRow>(
      `SELECT ${VERSION_READ_COLUMNS}
       FROM app_versions v JOIN apps a ON a.name = v.app AND a.live_version = v.version ORDER BY v.app`,
    );
    return rows.map(toVersion);
  }

  async setLive(app: string, version: number): Promise<void> {
    const updated = await this.#db.query(
      `UPDATE apps SET live_version = $2, updated_at = $3
       WHERE name = $1 AND EXISTS (SELECT 1 FROM app_versions WHERE app = $1 AND version = $2) RETURNING name`,
      [app, version, this.#clock.now()],
    );
    if (updated.length > 0) return;
    if ((await this.get(app)) === undefined) throw new NimbusError('NIMBUS_ERR_APP_NOT_FOUND', app, { app });
    throw new NimbusError('NIMBUS_ERR_VERSION_NOT_FOUND', `${app} has no version ${version}`, { app, version });
  }

  async referencedBundleHashes(): Promise<Set<string>> {
    const rows = await this.#db.query<{ hash: string }>(
      'SELECT bundle_hash AS hash FROM app_versions UNION SELECT source_map_hash FROM app_versions WHERE source_map_hash IS NOT NULL',
    );
    return new Set(rows.map((row) => row.hash));
  }

  remove(app: string): Promise<boolean> {
    return this.#db.transaction(async (tx) => {
      // Waits for a deploy of this app under way elsewhere, then removes what it made too.
      await tx.query('SELECT 1 FROM app_version_counters WHERE app = $1 FOR UPDATE', [app]);
      await tx.query('DELETE FROM app_versions WHERE app = $1', [app]);
      return (await tx.query('DELETE FROM apps WHERE name = $1 RETURNING name', [app])).length > 0;
    });
  }
}

function toApp(row: AppRow): AppRecord {
  return { name: row.name, liveVersion: row.live_version, createdAt: Number(row.created_at), updatedAt: Number(row.updated_at) };
}

function toVersion(row: VersionRow): VersionRecord {
  return {
    app: row.app, version: row.version, bundleHash: row.bundle_hash, sourceMapHash: row.source_map_hash,
    bundleSize: Number(row.bundle_size), functions: readManifests(row), createdAt: Number(row.created_at),
  };
}
