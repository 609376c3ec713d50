import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { readKeyFile, writeKeyFileOnce } from './key-file.js';

export { constantTimeEqual } from './constant-time.js';

export const ADMIN_KEY_FILE = 'admin-key';
export const ADMIN_KEY_PREFIX = 'nbk_admin_';
const ADMIN_KEY_BYTES = 32;

export interface AdminKey {
  key: string;
  /** True when this call generated the key: the CLI prints it once, then never again. */
  generated: boolean;
}

/**
 * The node's admin key: `envKey` (NIMBUS_ADMIN_KEY) wins, else the key in
 * `<dataDir>/admin-key`, else a new one written there (0600, folder 0700).
 * An empty `envKey` counts as unset, as an empty shell variable usually means.
 */
export function loadOrCreateAdminKey(dataDir: string, envKey?: string): AdminKey {
  if (envKey !== undefined && envKey.trim() !== '') return { key: envKey.trim(), generated: false };
  const existing = readAdminKey(dataDir);
  if (existing === '') throw new Error(`${join(dataDir, ADMIN_KEY_FILE)} is empty: put the admin key in it, or delete it to have a new one generated`);
  if (existing !== undefined) return { key: existing, generated: false };
  const fresh = ADMIN_KEY_PREFIX + randomBytes(ADMIN_KEY_BYTES).toString('base64url');
  const { key, written } = writeKeyFileOnce(join(dataDir, ADMIN_KEY_FILE), fresh);
  return { key, generated: written };
}

/** The admin key stored in `<dataDir>/admin-key`, for the CLI; undefined when absent. */
export function readAdminKey(dataDir: string): string | undefined {
  return readKeyFile(join(dataDir, ADMIN_KEY_FILE));
}
