/**
 * API keys at rest: an id, what the key may do, and a SHA-256 hash of its
 * secret part. The key itself is never stored; `auth/api-keys.ts` makes,
 * hashes and checks keys.
 */
export interface KeyStore {
  insert(record: NewKeyRecord): Promise<KeyRecord>;
  get(id: string): Promise<StoredKey | undefined>;
  /** Newest first. */
  list(filter?: KeyFilter): Promise<KeyRecord[]>;
  /** False when there was no such key. */
  remove(id: string): Promise<boolean>;
  /** Records that the key was just used; a missing id is ignored. */
  touch(id: string): Promise<void>;
}

/** What a key may do. Checked by `auth/authorize.ts`. */
export type KeyScope =
  /** Invoke the app's `auth: 'key'` HTTP functions, or only `fn` when given. */
  | { kind: 'function'; app: string; fn?: string }
  /** Send messages to these queues only; invoke nothing. */
  | { kind: 'producer'; queues: string[] }
  /** The blob storage API for these buckets only: read (get, head, list), or write (that, and put, delete, create). */
  | { kind: 'blobs'; buckets: string[]; access: BlobAccess }
  /** The whole admin API, like the admin key. */
  | { kind: 'admin' }
  /** Every GET and HEAD of the admin API (blobs and async results included); no write, invocation or send. */
  | { kind: 'read' };

/** 'write' includes reading. */
export type BlobAccess = 'read' | 'write';

export interface KeyRecord {
  id: string;
  scope: KeyScope;
  label: string | null;
  createdAt: number;
  lastUsedAt: number | null;
}

export interface NewKeyRecord {
  id: string;
  /** SHA-256 of the key's secret part. */
  secretHash: Uint8Array;
  scope: KeyScope;
  label: string | null;
}

export interface StoredKey extends KeyRecord {
  secretHash: Uint8Array;
}

export interface KeyFilter {
  /** Only function keys of this app. */
  app?: string;
}
