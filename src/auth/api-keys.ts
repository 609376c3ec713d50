import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Clock } from '../shared/clock.js';
import { NimbusError } from '../shared/errors.js';
import type { KeyFilter, KeyRecord, KeyScope, KeyStore } from '../store/key-store.js';
import { parseKeyScope } from './key-scope.js';
import { assertAppName } from './names.js';

export const API_KEY_PREFIX = 'nbk_';
const KEY_ID_BYTES = 8;
const KEY_SECRET_BYTES = 32;
/** Hex ids never contain '_', so `nbk_<id>_<secret>` splits unambiguously even though base64url secrets may. */
const API_KEY_FORMAT = /^nbk_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;
export const MAX_KEY_LABEL_LENGTH = 200;
/**
 * How long a verified key is trusted without asking the store. Revoking on
 * this node takes effect at once; on other nodes of a cluster within this time.
 */
export const VERIFIED_KEY_TTL_MS = 10_000;
const MAX_CACHED_KEYS = 10_000;

export interface CreatedKey extends KeyRecord {
  /** The full key. Shown once: only its hash is kept. */
  key: string;
}

interface CachedKey {
  secretHash: Buffer;
  scope: KeyScope;
  expiresAt: number;
}

/**
 * Makes, lists, revokes and verifies API keys. A key is `nbk_<id>_<secret>`;
 * the store keeps the id and SHA-256 of the secret. Verified keys are cached
 * briefly so the request hot path does not hit the store every time.
 */
export class ApiKeys {
  readonly #store: KeyStore;
  readonly #clock: Clock;
  readonly #cache = new Map<string, CachedKey>();
  /** Bumped by every revoke, so a verify that raced a revoke does not cache the revoked key. */
  #revocations = 0;

  constructor(store: KeyStore, clock: Clock) {
    this.#store = store;
    this.#clock = clock;
  }

  async create(scope: KeyScope, label?: string): Promise<CreatedKey> {
    const checked = parseKeyScope(scope);
    const id = randomBytes(KEY_ID_BYTES).toString('hex');
    const secret = randomBytes(KEY_SECRET_BYTES).toString('base64url');
    const record = await this.#store.insert({ id, secretHash: hashSecret(secret), scope: checked, label: normaliseLabel(label) });
    return { ...record, key: `${API_KEY_PREFIX}${id}_${secret}` };
  }

  async list(filter: KeyFilter = {}): Promise<KeyRecord[]> {
    if (filter.app !== undefined) assertAppName(filter.app);
    return this.#store.list(filter);
  }

  async revoke(id: string): Promise<boolean> {
    this.#forget(id);
    const removed = await this.#store.remove(id);
    this.#forget(id);
    return removed;
  }

  /** The key's scope, or undefined for anything that is not a live key. */
  async verify(key: string): Promise<KeyScope | undefined> {
    const match = API_KEY_FORMAT.exec(key);
    if (!match) return undefined;
    const [, id = '', secret = ''] = match;
    const presented = hashSecret(secret);

    const cached = this.#cache.get(id);
    if (cached && cached.expiresAt > this.#clock.monotonic()) {
      return timingSafeEqual(cached.secretHash, presented) ? cached.scope : undefined;
    }

    const revocationsBefore = this.#revocations;
    const stored = await this.#store.get(id);
    if (!stored) return undefined;
    const storedHash = Buffer.from(stored.secretHash);
    if (storedHash.length !== presented.length || !timingSafeEqual(storedHash, presented)) return undefined;
    if (revocationsBefore === this.#revocations) this.#remember(id, storedHash, stored.scope);
    // Once per cache lifetime rather than per request, so lastUsedAt is as fresh as the TTL.
    await this.#store.touch(id).catch(() => undefined);
    return stored.scope;
  }

  #remember(id: string, secretHash: Buffer, scope: KeyScope): void {
    this.#cache.delete(id);
    if (this.#cache.size >= MAX_CACHED_KEYS) {
      const oldest = this.#cache.keys().next();
      if (!oldest.done) this.#cache.delete(oldest.value);
    }
    this.#cache.set(id, { secretHash, scope, expiresAt: this.#clock.monotonic() + VERIFIED_KEY_TTL_MS });
  }

  #forget(id: string): void {
    this.#revocations++;
    this.#cache.delete(id);
  }
}

/**
 * SHA-256, not a slow password hash: the secret is 32 random bytes, so there
 * is nothing to guess from a leaked hash, and a fast hash keeps the check
 * cheap on every request. See docs/auth.md.
 */
function hashSecret(secret: string): Buffer {
  return createHash('sha256').update(secret, 'utf8').digest();
}

function normaliseLabel(label: string | undefined): string | null {
  if (label === undefined) return null;
  const trimmed = label.trim();
  if (trimmed.length > MAX_KEY_LABEL_LENGTH) {
    throw new NimbusError('NIMBUS_ERR_BODY_INVALID', `label is longer than ${MAX_KEY_LABEL_LENGTH} characters`, { field: 'label' });
  }
  // Labels are printed in tables and logs: control characters would garble them.
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f-\u009f]/.test(trimmed)) {
    throw new NimbusError('NIMBUS_ERR_BODY_INVALID', 'label contains a control character', { field: 'label' });
  }
  return trimmed === '' ? null : trimmed;
}
