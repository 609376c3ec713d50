import type { SqliteDatabase } from './sqlite-database.js';
import type { Clock } from '../../shared/clock.js';
import { migrateSqlite, type SqliteMigration } from './sqlite-migrations.js';
import type { SealedSecret, SecretInfo, SecretStore } from '../secret-store.js';

/** Schema steps of this area; see migrateSqlite. */
export const SECRET_MIGRATIONS: readonly SqliteMigration[] = [{ version: 1, sql: `
CREATE TABLE IF NOT EXISTS auth_secrets (
  app TEXT NOT NULL,
  name TEXT NOT NULL,
  sealed BLOB NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (app, name)
) WITHOUT ROWID
` }];

interface SecretInfoRow {
  name: string;
  created_at: number;
  updated_at: number;
}

interface SealedRow {
  name: string;
  sealed: Uint8Array;
}

export class SqliteSecretStore implements SecretStore {
  readonly #db: SqliteDatabase;
  readonly #clock: Clock;

  constructor(db: SqliteDatabase, clock: Clock) {
    this.#db = db;
    this.#clock = clock;
    migrateSqlite(db, 'secrets', SECRET_MIGRATIONS);
  }

  async put(app: string, name: string, sealed: Uint8Array): Promise<SecretInfo> {
    const now = this.#clock.now();
    const row = this.#db
      .prepare<[string, string, Buffer, number, number], SecretInfoRow>(
        `INSERT INTO auth_secrets (app, name, sealed, created_at, updated_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (app, name) DO UPDATE SET sealed = excluded.sealed, updated_at = excluded.updated_at
         RETURNING name, created_at, updated_at`,
      )
      .get(app, name, Buffer.from(sealed), now, now);
    if (!row) throw new Error('auth_secrets: upsert returned no row');
    return toInfo(row);
  }

  async list(app: string): Promise<SecretInfo[]> {
    return this.#db
      .prepare<[string], SecretInfoRow>('SELECT name, created_at, updated_at FROM auth_secrets WHERE app = ? ORDER BY name')
      .all(app)
      .map(toInfo);
  }

  async listSealed(app: string): Promise<SealedSecret[]> {
    return this.#db
      .prepare<[string], SealedRow>('SELECT name, sealed FROM auth_secrets WHERE app = ? ORDER BY name')
      .all(app)
      .map((row) => ({ name: row.name, sealed: row.sealed }));
  }

  async remove(app: string, name: string): Promise<boolean> {
    return this.#db.prepare('DELETE FROM auth_secrets WHERE app = ? AND name = ?').run(app, name).changes > 0;
  }

  async removeApp(app: string): Promise<number> {
    return this.#db.prepare('DELETE FROM auth_secrets WHERE app = ?').run(app).changes;
  }
}

function toInfo(row: SecretInfoRow): SecretInfo {
  return { name: row.name, createdAt: row.created_at, updatedAt: row.updated_at };
}
