import { createHash } from 'node:crypto';
import { inspect } from 'node:util';
import { NimbusError } from '../shared/errors.js';
import type { SealedSecret, SecretInfo, SecretStore } from '../store/secret-store.js';
import { assertAppName, assertSecretName } from './names.js';
import type { SecretBox } from './secret-box.js';

/** Environment variables are not a place for files; 64 KiB fits any token or certificate. */
export const MAX_SECRET_VALUE_BYTES = 64 * 1024;
/** Every secret is in every instance's environment, sent to each instance as it starts: a few MiB at most. */
export const MAX_SECRETS_PER_APP = 100;

/**
 * An app's secrets: validates names and sizes, seals values before they reach
 * the store and opens them only in `resolve`, which the runtime calls when it
 * builds that app's instance environment. Nothing else ever returns a value.
 */
export class AppSecrets {
  readonly #store: SecretStore;
  readonly #box: SecretBox;
  /** Per app, a digest of the sealed values its instances were last given: how a missed change is found. */
  readonly #given = new Map<string, string>();

  constructor(store: SecretStore, box: SecretBox) {
    this.#store = store;
    this.#box = box;
  }

  async set(app: string, name: string, value: string): Promise<SecretInfo> {
    assertAppName(app);
    assertSecretName(name);
    const bytes = Buffer.byteLength(value, 'utf8');
    if (bytes > MAX_SECRET_VALUE_BYTES) {
      throw new NimbusError('NIMBUS_ERR_BODY_TOO_LARGE', `value is ${bytes} bytes; a secret holds at most ${MAX_SECRET_VALUE_BYTES}`, { field: 'value' });
    }
    // An environment variable ends at its first NUL: the function would see less than was stored.
    if (value.includes('\u0000')) throw new NimbusError('NIMBUS_ERR_BODY_INVALID', 'value contains a NUL character, which an environment variable cannot hold', { field: 'value' });
    const existing = await this.#store.list(app);
    if (existing.length >= MAX_SECRETS_PER_APP && !existing.some((s) => s.name === name)) {
      throw new NimbusError('NIMBUS_ERR_BODY_INVALID', `${app} already has ${existing.length} secrets; an app holds at most ${MAX_SECRETS_PER_APP}`, { field: 'name' });
    }
    return this.#store.put(app, name, this.#box.seal(app, name, value));
  }

  /** Names and times, never values. */
  async list(app: string): Promise<SecretInfo[]> {
    assertAppName(app);
    return this.#store.list(app);
  }

  async remove(app: string, name: string): Promise<boolean> {
    assertAppName(app);
    assertSecretName(name);
    return this.#store.remove(app, name);
  }

  /** Decrypted values of every secret of `app`, as environment variables for its instances only. */
  async resolve(app: string): Promise<Record<string, string>> {
    const env: Record<string, string> = {};
    const all = await this.#store.listSealed(app);
    for (const { name, sealed } of all) env[name] = this.#box.open(app, name, sealed);
    this.#given.set(app, digestOf(all));
    return env;
  }

  /**
   * Apps whose instances hold secrets that have changed in the store since
   * (set or removed on another node while this one missed the notice).
   * Sealing uses a fresh nonce, so setting the same value again counts too.
   */
  async changedSinceGiven(): Promise<string[]> {
    const changed: string[] = [];
    for (const [app, digest] of this.#given) {
      if (digestOf(await this.#store.listSealed(app)) !== digest) changed.push(app);
    }
    return changed;
  }

  /** The app is gone: nothing of it is running to compare against. */
  forget(app: string): void {
    this.#given.delete(app);
  }

  toJSON(): string {
    return '[AppSecrets]';
  }

  [inspect.custom](): string {
    return '[AppSecrets]';
  }
}

function digestOf(secrets: readonly SealedSecret[]): string {
  const hash = createHash('sha256');
  for (const { name, sealed } of [...secrets].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    hash.update(`${name.length}:${name}:${sealed.length}:`).update(sealed);
  }
  return hash.digest('base64');
}
