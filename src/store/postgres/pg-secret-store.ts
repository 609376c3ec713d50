import type { Clock } from '../../shared/clock.js';
import type { SealedSecret, SecretInfo, SecretStore } from '../secret-store.js';
import type { PgDatabase } from './pg-database.js';

interface SecretInfoRow {
  name: string;
  created_at: string;
  updated_at: string;
}

/** Sealed app secrets in PostgreSQL. */
export class PgSecretStore implements SecretStore {
  readonly #db: PgDatabase;
  readonly #clock: Clock;

  constructor(db: PgDatabase, clock: Clock) {
    this.#db = db;
    this.#clock = clock;
  }

  async put(app: string, name: string, sealed: Uint8Array): Promise<SecretInfo> {
    const now = this.#clock.now();
    const [row] = await this.#db.query<SecretInfoRow>(
      `INSERT INTO auth_secrets (app, name, sealed, created_at, updated_at) VALUES ($1, $2, $3, $4, $4)
       ON CONFLICT (app, name) DO UPDATE SET sealed = excluded.sealed, updated_at = excluded.updated_at
       RETURNING name, created_at, updated_at`,
      [app, name, Buffer.from(sealed), now],
    );
    if (!row) throw new Error('auth_secrets: upsert returned no row');
    return toInfo(row);
  }

  async list(app: string): Promise<SecretInfo[]> {
    return (await this.#db.query<SecretInfoRow>('SELECT name, created_at, updated_at FROM auth_secrets WHERE app = $1 ORDER BY name', [app])).map(toInfo);
  }

  async listSealed(app: string): Promise<SealedSecret[]> {
    const rows = await this.#db.query<{ name: string; sealed: Buffer }>('SELECT name, sealed FROM auth_secrets WHERE app = $1 ORDER BY name', [app]);
    return rows.map((row) => ({ name: row.name, sealed: new Uint8Array(row.sealed) }));
  }

  async remove(app: string, name: string): Promise<boolean> {
    return (await this.#db.query('DELETE FROM auth_secrets WHERE app = $1 AND name = $2 RETURNING name', [app, name])).length > 0;
  }

  async removeApp(app: string): Promise<number> {
    return (await this.#db.query('DELETE FROM auth_secrets WHERE app = $1 RETURNING name', [app])).length;
  }
}

function toInfo(row: SecretInfoRow): SecretInfo {
  return { name: row.name, createdAt: Number(row.created_at), updatedAt: Number(row.updated_at) };
}
