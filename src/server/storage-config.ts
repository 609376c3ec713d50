import { BlobsConfigError, describeBlobsConfig, parseBlobsSetting, type BlobsConfig } from '../blobs/s3/s3-blobs-url.js';

/**
 * Where a node keeps its state and its blobs, from `--store` / `--blobs`
 * (env NIMBUS_STORE / NIMBUS_BLOBS). Parsed once, before anything opens.
 */

export type StoreLocation =
  /** SQLite: `state.sqlite` in `dir`, by default the data folder. */
  | { kind: 'sqlite'; dir: string | null }
  | { kind: 'postgres'; url: string };

/** Files in the data folder, or one S3 bucket (parsed by the S3 backend's own parser). */
export type BlobsLocation = BlobsConfig;

export interface StorageConfig {
  store: StoreLocation;
  blobs: BlobsLocation;
}

/** A `--store` or `--blobs` value that cannot be used; the message names the flag and never shows a password. */
export class StorageConfigError extends Error {
  constructor(readonly flag: '--store' | '--blobs', message: string) {
    super(`${flag}: ${message}`);
    this.name = 'StorageConfigError';
  }
}

export function parseStorageConfig(raw: { store?: string | undefined; blobs?: string | undefined }): StorageConfig {
  return { store: parseStoreUrl(raw.store), blobs: parseBlobsUrl(raw.blobs) };
}

/** Absent, `sqlite:` or a folder: SQLite; `postgres://` or `postgresql://`: PostgreSQL. */
export function parseStoreUrl(raw: string | undefined): StoreLocation {
  const value = raw?.trim() ?? '';
  if (value === '' || value === 'sqlite:' || value === 'sqlite://') return { kind: 'sqlite', dir: null };
  if (value.startsWith('sqlite:')) {
    const dir = value.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '');
    return { kind: 'sqlite', dir };
  }
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(value)?.[1]?.toLowerCase();
  if (scheme === 'postgres' || scheme === 'postgresql') {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      throw new StorageConfigError('--store', `not a valid PostgreSQL URL: ${maskUrl(value)} (expected postgres://user:password@host:5432/database)`);
    }
    if (!url.hostname && !url.searchParams.get('host')) {
      throw new StorageConfigError('--store', `the PostgreSQL URL names no host: ${maskUrl(value)} (expected postgres://user:password@host:5432/database)`);
    }
    return { kind: 'postgres', url: value };
  }
  // A Windows drive letter or a plain path is a folder for the SQLite file, not a scheme.
  if (scheme !== undefined && scheme.length > 1 && !value.startsWith('./') && !value.startsWith('/')) {
    throw new StorageConfigError('--store', `unknown store "${scheme}:" (use postgres://…, sqlite: or a folder)`);
  }
  return { kind: 'sqlite', dir: value };
}

/** Absent, `file` or `local`: files in the data folder; `s3://bucket[/prefix]?…`: an S3-compatible object store. */
export function parseBlobsUrl(raw: string | undefined): BlobsLocation {
  const value = raw?.trim() ?? '';
  if (value === 'local' || value === 'local:') return { kind: 'file' };
  try {
    return parseBlobsSetting(value);
  } catch (err) {
    if (err instanceof BlobsConfigError) throw new StorageConfigError('--blobs', err.message.replace(/^invalid blobs setting \(--blobs \/ NIMBUS_BLOBS\): /, ''));
    throw err;
  }
}

/** The URL as it may be logged or shown: the password (and any secret key parameter) replaced by ***. */
export function maskUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    // Not parseable: mask whatever looks like user:password@ by hand.
    return value.replace(/(\/\/[^/:@]*:)[^@/]*@/, '$1***@');
  }
  if (url.password) url.password = '***';
  for (const name of [...url.searchParams.keys()]) {
    if (/password|secret|token|key/i.test(name) && !/^(region|endpoint)$/i.test(name)) url.searchParams.set(name, '***');
  }
  // URL escapes the asterisks it wrote; the reader should see them plainly.
  return url.toString().replace(/%2A%2A%2A/g, '***');
}

/** One line for the start log: what this node runs on. */
export function describeStorage(config: StorageConfig, dataDir: string): { store: string; blobs: string } {
  return {
    store: config.store.kind === 'postgres' ? maskUrl(config.store.url) : `sqlite:${config.store.dir ?? dataDir}`,
    blobs: config.blobs.kind === 's3' ? describeBlobsConfig(config.blobs) : `local:${dataDir}`,
  };
}
