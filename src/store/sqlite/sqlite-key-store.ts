import type { SqliteDatabase } from './sqlite-database.js';
import type { Clock } from '../../shared/clock.js';
import { NimbusError } from '../../shared/errors.js';
import { migrateSqlite, type SqliteMigration } from './sqlite-migrations.js';
import type { KeyFilter, KeyRecord, KeyScope, KeyStore, NewKeyRecord, StoredKey } from '../key-store.js';

interface KeyRow {
  id: string;
  scope: string;
  label: string | null;
  created_at: number;
  last_used_at: number | null;
}

interface StoredKeyRow extends KeyRow {
  secret_hash: Uint8Array;
}

/** Schema steps of this area; see migrateSqlite. `app` is copied out of the scope so "keys of this app" is an indexed query. */
export const KEY_MIGRATIONS: readonly SqliteMigration[] = [{ version: 1, sql: `
CREATE TABLE IF NOT EXISTS auth_api_keys (
  id TEXT PRIMARY KEY,
  secret_hash BLOB NOT NULL,
  scope TEXT NOT NULL,
  app TEXT,
  label TEXT,
  created_at INTEGER NOT NULL,
  last_used_at INTEGER
);
CREATE INDEX IF NOT EXISTS auth_api_keys_app ON auth_api_keys (app);
` }];

const RECORD_COLUMNS = 'id, scope, label, created_at, last_used_at';

export class SqliteKeyStore implements KeyStore {
  readonly #db: SqliteDatabase;
  readonly #clock: Clock;

  constructor(db: SqliteDatabase, clock: Clock) {
    this.#db = db;
    this.#clock = clock;
    migrateSqlite(db, 'keys', KEY_MIGRATIONS);
  }

  async insert(record: NewKeyRecord): Promise<KeyRecord> {
    const app = record.scope.kind === 'function' ? record.scope.app : null;
    const createdAt = this.#clock.now();
    const inserted = this.#db
      .prepare('INSERT INTO auth_api_keys (id, secret_hash, scope, app, label, created_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING')
      .run(record.id, Buffer.from(record.secretHash), JSON.stringify(record.scope), app, record.label, createdAt);
    if (inserted.changes === 0) throw new NimbusError('NIMBUS_ERR_KEY_ID_TAKEN', record.id, { id: record.id });
    return { id: record.id, scope: record.scope, label: record.label, createdAt, lastUsedAt: null };
  }

  async get(id: string): Promise<StoredKey | undefined> {
    const row = this.#db
      .prepare<[string], StoredKeyRow>(`SELECT ${RECORD_COLUMNS}, secret_hash FROM auth_api_keys WHERE id = ?`)
      .get(id);
    return row ? { ...toRecord(row), secretHash: row.secret_hash } : undefined;
  }

  async list(filter: KeyFilter = {}): Promise<KeyRecord[]> {
    const rows =
      filter.app === undefined
        ? this.#db.prepare<[], KeyRow>(`SELECT ${RECORD_COLUMNS} FROM auth_api_keys ORDER BY created_at DESC, id`).all()
        : this.#db
            .prepare<[string], KeyRow>(`SELECT ${RECORD_COLUMNS} FROM auth_api_keys WHERE app = ? ORDER BY created_at DESC, id`)
            .all(filter.app);
    return rows.map(toRecord);
  }

  async remove(id: string): Promise<boolean> {
    return this.#db.prepare('DELETE FROM auth_api_keys WHERE id = ?').run(id).changes > 0;
  }

  async touch(id: string): Promise<void> {
    this.#db.prepare('UPDATE auth_api_keys SET last_used_at = ? WHERE id = ?').run(this.#clock.now(), id);
  }
}

function toRecord(row: KeyRow): KeyRecord {
  return {
    id: row.id,
    scope: JSON.parse(row.scope) as KeyScope,
    label: row.label,
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
  };
}
