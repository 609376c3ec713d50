/**
 * App secrets at rest. The store only ever sees sealed (encrypted) values:
 * encryption and decryption happen in `auth/secrets.ts`, so no store
 * implementation holds the master key or a plaintext value.
 */
export interface SecretStore {
  /** Inserts or replaces one secret's sealed value. */
  put(app: string, name: string, sealed: Uint8Array): Promise<SecretInfo>;
  /** Names and times only, sorted by name. */
  list(app: string): Promise<SecretInfo[]>;
  /** Every sealed value of one app, for building that app's instance environment. */
  listSealed(app: string): Promise<SealedSecret[]>;
  /** False when the app had no such secret. */
  remove(app: string, name: string): Promise<boolean>;
  /** Drops every secret of an app (when the app is removed); returns how many. */
  removeApp(app: string): Promise<number>;
}

export interface SecretInfo {
  name: string;
  createdAt: number;
  updatedAt: number;
}

export interface SealedSecret {
  name: string;
  sealed: Uint8Array;
}
