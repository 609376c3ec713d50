import type { Clock } from '../../shared/clock.js';
import { NimbusError } from '../../shared/errors.js';
import type { KeyFilter, KeyRecord, KeyScope, KeyStore, NewKeyRecord, StoredKey } from '../key-store.js';
import type { PgDatabase } from './pg-database.js';

interface KeyRow {
  id: string;
  scope: string;
  label: string | null;
  created_at: string;
  last_used_at: string | null;
}

interface StoredKeyRow extends KeyRow {
  secret_hash: Buffer;
}

const RECORD_COLUMNS = 'id, scope, label, created_at, last_used_at';

/** API keys in PostgreSQL; `app` is copied out of the scope so "keys of this app" is an indexed query. */
export class PgKeyStore implements KeyStore {
  readonly #db: PgDatabase;
  readonly #clock: Clock;

  constructor(db: PgDatabase, clock: Clock) {
    this.#db = db;
    this.#clock = clock;
  }

  async insert(record: NewKeyRecord): Promise<KeyRecord> {
    const app = record.scope.kind === 'function' ? record.scope.app : null;
    const createdAt = this.#clock.now();
    const inserted = await this.#db.query(
      `INSERT INTO auth_api_keys (id, secret_hash, scope, app, label, created_at) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (id) DO NOTHING RETURNING id`,
      [record.id, Buffer.from(record.secretHash), JSON.stringify(record.scope), app, record.label, createdAt],
    );
    if (inserted.length === 0) throw new NimbusError('NIMBUS_ERR_KEY_ID_TAKEN', record.id, { id: record.id });
    return { id: record.id, scope: record.scope, label: record.label, createdAt, lastUsedAt: null };
  }

  async get(id: string): Promise<StoredKey | undefined> {
    const [row] = await this.#db.query<StoredKeyRow>(`SELECT ${RECORD_COLUMNS}, secret_hash FROM auth_api_keys WHERE id = $1`, [id]);
    return row ? { ...toRecord(row), secretHash: new Uint8Array(row.secret_hash) } : undefined;
  }

  async list(filter: KeyFilter = {}): Promise<KeyRecord[]> {
    const rows = filter.app === undefined
      ? await this.#db.query<KeyRow>(`SELECT ${RECORD_COLUMNS} FROM auth_api_keys ORDER BY created_at DESC, id`)
      : await this.#db.query<KeyRow>(`SELECT ${RECORD_COLUMNS} FROM auth_api_keys WHERE app = $1 ORDER BY created_at DESC, id`, [filter.app]);
    return rows.map(toRecord);
  }

  async remove(id: string): Promise<boolean> {
    return (await this.#db.query('DELETE FROM auth_api_keys WHERE id = $1 RETURNING id', [id])).length > 0;
  }

  async touch(id: string): Promise<void> {
    await this.#db.query('UPDATE auth_api_keys SET last_used_at = $2 WHERE id = $1', [id, this.#clock.now()]);
  }
}

function toRecord(row: KeyRow): KeyRecord {
  return {
    id: row.id,
    scope: JSON.parse(row.scope) as KeyScope,
    label: row.label,
    createdAt: Number(row.created_at),
    lastUsedAt: row.last_used_at === null ? null : Number(row.last_used_at),
  };
}
