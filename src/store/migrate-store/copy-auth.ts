import { copyTable } from './copy-table.js';
import { plural, type StoreArea } from './area.js';

interface KeyRow {
  id: string; secret_hash: Uint8Array; scope: string; app: string | null; label: string | null;
  created_at: number; last_used_at: number | null;
}
interface SecretRow { app: string; name: string; sealed: Uint8Array; created_at: number; updated_at: number }

/** API keys as stored: only the hashes, never re-hashed; the secrets they stand for were never kept. */
export const keysArea: StoreArea = {
  name: 'keys',
  async copy({ source }, target) {
    const keys = await copyTable<KeyRow>(source, target, {
      select: 'SELECT id, secret_hash, scope, app, label, created_at, last_used_at FROM auth_api_keys',
      table: 'auth_api_keys',
      columns: ['id', 'secret_hash', 'scope', 'app', 'label', 'created_at', 'last_used_at'],
      values: (r) => [r.id, r.secret_hash, r.scope, r.app, r.label, r.created_at, r.last_used_at],
    });
    return plural(keys, 'API key');
  },
};

/** Secrets as the ciphertext they are: they open only with the old node's master key. */
export const secretsArea: StoreArea = {
  name: 'secrets',
  async copy({ source }, target) {
    const secrets = await copyTable<SecretRow>(source, target, {
      select: 'SELECT app, name, sealed, created_at, updated_at FROM auth_secrets',
      table: 'auth_secrets',
      columns: ['app', 'name', 'sealed', 'created_at', 'updated_at'],
      values: (r) => [r.app, r.name, r.sealed, r.created_at, r.updated_at],
    });
    return `${plural(secrets, 'secret')}, still sealed with the old node's master key: every node needs it`;
  },
};
