import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { readKeyFile, writeKeyFileOnce } from './key-file.js';

export const MASTER_KEY_FILE = 'master-key';
/** AES-256 takes a 32-byte key. */
export const MASTER_KEY_BYTES = 32;

const HEX_KEY = /^[0-9a-fA-F]{64}$/;
const BASE64_KEY = /^[A-Za-z0-9+/_-]{43}=?$/;

export interface MasterKey {
  key: Buffer;
  generated: boolean;
}

/**
 * The key that encrypts every app secret: `envKey` (NIMBUS_MASTER_KEY) wins,
 * else `<dataDir>/master-key`, else a new one written there (0600). Losing it
 * loses every secret, so a cluster must give all nodes the same one.
 */
export function loadOrCreateMasterKey(dataDir: string, envKey?: string): MasterKey {
  if (envKey !== undefined && envKey.trim() !== '') return { key: parseMasterKey(envKey, 'NIMBUS_MASTER_KEY'), generated: false };
  const path = join(dataDir, MASTER_KEY_FILE);
  const existing = readKeyFile(path);
  if (existing !== undefined) return { key: parseMasterKey(existing, path), generated: false };
  const { key, written } = writeKeyFileOnce(path, randomBytes(MASTER_KEY_BYTES).toString('hex'));
  return { key: parseMasterKey(key, path), generated: written };
}

/**
 * Accepts 64 hex characters or the base64 (or base64url) form of 32 bytes.
 * The error names where the key came from and what was wrong, never the key.
 */
export function parseMasterKey(text: string, source: string): Buffer {
  const trimmed = text.trim();
  if (HEX_KEY.test(trimmed)) return Buffer.from(trimmed, 'hex');
  if (BASE64_KEY.test(trimmed)) {
    const key = Buffer.from(trimmed, trimmed.includes('-') || trimmed.includes('_') ? 'base64url' : 'base64');
    if (key.length === MASTER_KEY_BYTES) return key;
  }
  throw new Error(
    `${source} is not a valid master key: expected 64 hex characters or base64 of ${MASTER_KEY_BYTES} bytes ` +
      `(got ${trimmed.length} characters); generate one with "openssl rand -hex 32"`,
  );
}
