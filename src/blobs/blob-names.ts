import { BlobError } from './blob-errors.js';

/** S3's limit, so keys move between backends unchanged. */
export const MAX_KEY_BYTES = 1024;
export const BUCKET_NAME_PATTERN = /^[a-z0-9][a-z0-9.-]{2,62}$/;
export const MAX_CONTENT_TYPE_LENGTH = 256;
/** Total bytes of user metadata names and values, as S3 allows. */
export const MAX_METADATA_BYTES = 2048;
export const METADATA_NAME_PATTERN = /^[a-z0-9][a-z0-9_-]{0,127}$/;
export const DEFAULT_CONTENT_TYPE = 'application/octet-stream';

// C0 controls, DEL and C1 controls: invisible in logs and unsafe in paths and headers.
// eslint-disable-next-line no-control-regex
const CONTROL_CHARS = /[\u0000-\u001f\u007f-\u009f]/;

// With the u flag, \p{Cs} matches only unpaired surrogates, which have no UTF-8 form.
const LONE_SURROGATE = /\p{Cs}/u;

export function validateBucketName(bucket: unknown): string {
  if (typeof bucket !== 'string' || !BUCKET_NAME_PATTERN.test(bucket)) {
    throw new BlobError('NIMBUS_ERR_BLOB_INVALID_BUCKET_NAME', `bucket ${JSON.stringify(bucket)}`, { field: 'bucket' });
  }
  if (bucket.includes('..')) {
    throw new BlobError('NIMBUS_ERR_BLOB_INVALID_BUCKET_NAME', `bucket ${JSON.stringify(bucket)} contains ".."`, { field: 'bucket' });
  }
  return bucket;
}

/**
 * Keys are opaque to the local backend (data files are named by id), but a
 * key that looks like a path escape is refused anyway: keys end up in URLs,
 * in S3, and in functions that join them onto file paths.
 */
export function validateKey(key: unknown): string {
  const bad = (why: string): never => {
    throw new BlobError('NIMBUS_ERR_BLOB_INVALID_KEY', why, { field: 'key' });
  };
  if (typeof key !== 'string' || key.length === 0) return bad('key is empty');
  if (Buffer.byteLength(key, 'utf8') > MAX_KEY_BYTES) return bad(`key is longer than ${MAX_KEY_BYTES} bytes (UTF-8)`);
  if (CONTROL_CHARS.test(key)) return bad('key contains a NUL or control character');
  if (LONE_SURROGATE.test(key)) return bad('key contains a lone surrogate (not valid Unicode)');
  if (key.startsWith('/')) return bad('key starts with "/"');
  if (key.includes('\\')) return bad('key contains "\\"');
  for (const segment of key.split('/')) {
    if (segment === '..' || segment === '.') return bad(`key contains a "${segment}" segment`);
  }
  return key;
}

export function validateContentType(contentType: unknown): string {
  if (contentType === undefined || contentType === '') return DEFAULT_CONTENT_TYPE;
  if (typeof contentType !== 'string' || contentType.length > MAX_CONTENT_TYPE_LENGTH || CONTROL_CHARS.test(contentType)) {
    throw new BlobError('NIMBUS_ERR_BLOB_INVALID_REQUEST', `contentType must be at most ${MAX_CONTENT_TYPE_LENGTH} printable characters`, { field: 'contentType' });
  }
  return contentType;
}

/** Names are lower-cased (HTTP headers are case-insensitive); values must survive a header round trip. */
export function validateMetadata(metadata: unknown): Record<string, string> {
  if (metadata === undefined) return {};
  if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) {
    throw new BlobError('NIMBUS_ERR_BLOB_INVALID_REQUEST', 'metadata must be an object of strings', { field: 'metadata' });
  }
  const out: Record<string, string> = {};
  let bytes = 0;
  for (const [rawName, value] of Object.entries(metadata)) {
    const name = rawName.toLowerCase();
    if (!METADATA_NAME_PATTERN.test(name)) {
      throw new BlobError('NIMBUS_ERR_BLOB_INVALID_REQUEST', `metadata name ${JSON.stringify(rawName)} must be letters, digits, "-" or "_"`, { field: `metadata.${rawName}` });
    }
    if (typeof value !== 'string' || !/^[\x20-\x7e]*$/.test(value)) {
      throw new BlobError('NIMBUS_ERR_BLOB_INVALID_REQUEST', `metadata ${JSON.stringify(name)} must be printable ASCII`, { field: `metadata.${name}` });
    }
    bytes += name.length + value.length;
    out[name] = value;
  }
  if (bytes > MAX_METADATA_BYTES) {
    throw new BlobError('NIMBUS_ERR_BLOB_INVALID_REQUEST', `metadata is larger than ${MAX_METADATA_BYTES} bytes`, { field: 'metadata' });
  }
  return out;
}
