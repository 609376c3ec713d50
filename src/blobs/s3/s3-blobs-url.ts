/**
 * The `--blobs` / NIMBUS_BLOBS setting: local files (the default) or one
 * bucket of an S3-compatible object store:
 *
 *   s3://<bucket>[/<prefix>]?endpoint=http://host:9000&region=us-east-1[&forcePathStyle=true]
 *
 * Credentials never appear here: the AWS SDK's default chain reads them
 * (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, AWS_PROFILE, instance roles…).
 */

const MB = 1024 * 1024;
/** S3's smallest part (all but the last); larger parts mean fewer requests but more memory per upload. */
export const MIN_PART_SIZE_MB = 5;
export const MAX_PART_SIZE_MB = 5 * 1024;
export const DEFAULT_PART_SIZE_MB = 8;
/** Parts of one upload in flight at once: memory per upload is about (queueSize + 1) × part size. */
export const DEFAULT_UPLOAD_QUEUE_SIZE = 4;
export const MAX_UPLOAD_QUEUE_SIZE = 16;
/** Unreferenced data younger than this is never swept: it may be an upload another node is about to commit. */
export const DEFAULT_SWEEP_GRACE_MINUTES = 60;

export interface FileBlobsConfig {
  kind: 'file';
}

export interface S3BlobsConfig {
  kind: 's3';
  /** The one S3 bucket that holds everything (Nimbus buckets are names in the index). */
  bucket: string;
  /** '' or a key prefix ending in '/'. */
  prefix: string;
  /** Absent: AWS S3 itself. */
  endpoint?: string;
  /** Absent: the SDK's default chain (AWS_REGION…). */
  region?: string;
  /** Path-style addressing (`http://host/bucket/key`), which most self-hosted stores need. */
  forcePathStyle: boolean;
  partSizeBytes: number;
  queueSize: number;
  sweepGraceMs: number;
}

export type BlobsConfig = FileBlobsConfig | S3BlobsConfig;

/** A bad `--blobs` value; the message names what is wrong and says nothing secret. */
export class BlobsConfigError extends Error {
  constructor(detail: string) {
    super(`invalid blobs setting (--blobs / NIMBUS_BLOBS): ${detail}`);
    this.name = 'BlobsConfigError';
  }
}

/** S3's bucket naming rules (the strict, DNS-compatible ones). */
const S3_BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const KNOWN_PARAMS = ['endpoint', 'region', 'forcePathStyle', 'partSizeMb', 'queueSize', 'sweepGraceMinutes'] as const;

/** Parses the setting; undefined, '' and 'file' mean local files in the data folder. */
export function parseBlobsSetting(value: string | undefined): BlobsConfig {
  const trimmed = value?.trim() ?? '';
  if (trimmed === '' || trimmed === 'file') return { kind: 'file' };
  if (!trimmed.startsWith('s3://')) throw new BlobsConfigError('expected "file" or s3://<bucket>[/<prefix>]?endpoint=…&region=…');
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    throw new BlobsConfigError('not a valid URL');
  }
  // Refused rather than used: a secret in a URL ends up in shell history, process lists and logs.
  if (url.username || url.password) throw new BlobsConfigError('put no credentials in the URL; set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY');
  if (url.port) throw new BlobsConfigError('the bucket takes no port; give the store\'s address as ?endpoint=http://host:port');
  const bucket = url.hostname;
  if (!S3_BUCKET_NAME.test(bucket) || bucket.includes('..')) {
    throw new BlobsConfigError(`"${bucket}" is not an S3 bucket name (3-63 lower-case letters, digits, dots and dashes)`);
  }
  // From the text as written: URL parsing would quietly resolve "a/../b" to "b".
  const rawPath = (trimmed.slice('s3://'.length).split(/[?#]/)[0] ?? '').split('/').slice(1).join('/');
  const prefix = decodeURIComponent(rawPath).replace(/^\/+|\/+$/g, '');
  if (prefix !== '' && prefix.split('/').some((part) => part === '' || part === '.' || part === '..')) {
    throw new BlobsConfigError(`the prefix "${prefix}" has an empty, "." or ".." segment`);
  }
  for (const name of url.searchParams.keys()) {
    if (!(KNOWN_PARAMS as readonly string[]).includes(name)) throw new BlobsConfigError(`unknown parameter "${name}" (known: ${KNOWN_PARAMS.join(', ')})`);
  }
  const param = (name: (typeof KNOWN_PARAMS)[number]): string | undefined => url.searchParams.get(name) ?? undefined;

  const endpoint = param('endpoint');
  if (endpoint !== undefined) {
    let parsed: URL | undefined;
    try {
      parsed = new URL(endpoint);
    } catch {
      parsed = undefined;
    }
    if (!parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')) throw new BlobsConfigError(`endpoint "${endpoint}" is not an http:// or https:// URL`);
    if (parsed.username || parsed.password) throw new BlobsConfigError('put no credentials in the endpoint; set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY');
  }
  const region = param('region');
  if (region !== undefined && !/^[a-z0-9-]{1,64}$/.test(region)) throw new BlobsConfigError(`region "${region}" is not a region name`);
  const forcePathStyle = parseBoolean('forcePathStyle', param('forcePathStyle'), endpoint !== undefined);
  const partSizeMb = parseWhole('partSizeMb', param('partSizeMb'), DEFAULT_PART_SIZE_MB, MIN_PART_SIZE_MB, MAX_PART_SIZE_MB);
  const queueSize = parseWhole('queueSize', param('queueSize'), DEFAULT_UPLOAD_QUEUE_SIZE, 1, MAX_UPLOAD_QUEUE_SIZE);
  const graceMinutes = parseWhole('sweepGraceMinutes', param('sweepGraceMinutes'), DEFAULT_SWEEP_GRACE_MINUTES, 1, 7 * 24 * 60);
  return {
    kind: 's3', bucket, prefix: prefix === '' ? '' : `${prefix}/`,
    ...(endpoint !== undefined ? { endpoint } : {}),
    ...(region !== undefined ? { region } : {}),
    forcePathStyle, partSizeBytes: partSizeMb * MB, queueSize, sweepGraceMs: graceMinutes * 60_000,
  };
}

/** The setting as it can be shown (logs, `nimbus status`): it never holds a secret, but say so by construction. */
export function describeBlobsConfig(config: BlobsConfig): string {
  if (config.kind === 'file') return 'local files in the data folder';
  return `s3://${config.bucket}/${config.prefix}${config.endpoint ? ` at ${config.endpoint}` : ''}${config.region ? ` (${config.region})` : ''}`;
}

function parseBoolean(name: string, value: string | undefined, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (value === 'true') return true;
  if (value === 'false') return false;
  throw new BlobsConfigError(`${name} must be true or false, not "${value}"`);
}

function parseWhole(name: string, value: string | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < min || n > max) throw new BlobsConfigError(`${name} must be a whole number from ${min} to ${max}, not "${value}"`);
  return n;
}
