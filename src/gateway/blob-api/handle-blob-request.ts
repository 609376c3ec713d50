import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { MAX_OBJECT_BYTES, type BlobBackend, type BlobObjectMeta, type ByteRange, type ListOptions } from '../../blobs/blob-backend.js';
import { BlobError } from '../../blobs/blob-errors.js';
import { conditionMatches } from '../../blobs/etag.js';
import { NimbusError } from '../../shared/errors.js';
import { errorHeaders, sendJson } from '../json.js';

/** User metadata travels as `x-nimbus-meta-<name>: <value>` headers, both ways. */
export const METADATA_HEADER_PREFIX = 'x-nimbus-meta-';

/**
 * The storage API under `/_nimbus/api/v1/blobs`. `path` is what follows that
 * prefix (a query string on it is ignored; the query is read from `req.url`).
 * Auth is the gateway's, done before this is called. Bodies stream both ways.
 */
export async function handleBlobRequest(
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  backend: BlobBackend,
  options: BlobApiOptions = {},
): Promise<void> {
  try {
    await route(req, res, path, backend, options.visibleBuckets ?? null);
  } catch (err) {
    // A client that went away mid-upload ends the body stream with an error ('aborted'): no fault of the node's.
    const clientGone = req.destroyed && !req.complete;
    if (!(err instanceof NimbusError) && !clientGone) options.onInternalError?.(err);
    sendError(req, res, err);
  }
}

export interface BlobApiOptions {
  /** Told about unexpected errors, which the caller sees only as NIMBUS_ERR_INTERNAL. */
  onInternalError?: (err: unknown) => void;
  /** The buckets the list of buckets shows this caller (a blobs key's own); all when absent or null. */
  visibleBuckets?: readonly string[] | null;
}

/** The bucket and the still-encoded key a blob API path names ('' for none); the gateway authorizes on the same split. */
export function blobPathParts(path: string): { bucket: string; rawKey: string } {
  const rest = (path.split('?')[0] ?? '').replace(/^\/+/, '');
  const slash = rest.indexOf('/');
  return { bucket: slash < 0 ? rest : rest.slice(0, slash), rawKey: slash < 0 ? '' : rest.slice(slash + 1) };
}

async function route(req: IncomingMessage, res: ServerResponse, path: string, backend: BlobBackend, visible: readonly string[] | null): Promise<void> {
  const method = req.method ?? 'GET';
  const { bucket, rawKey } = blobPathParts(path);

  if (bucket === '') {
    if (method !== 'GET' && method !== 'HEAD') throw methodNotAllowed(res, 'GET, HEAD');
    const buckets = await backend.listBuckets();
    return sendJson(res, 200, { buckets: visible === null ? buckets : buckets.filter((b) => visible.includes(b.name)) });
  }
  if (rawKey === '') {
    switch (method) {
      case 'PUT': {
        const { created } = await backend.createBucket(bucket);
        return sendJson(res, created ? 201 : 200, { bucket, created });
      }
      case 'DELETE':
        await backend.deleteBucket(bucket);
        return sendEmpty(res, 204);
      case 'GET':
      case 'HEAD':
        return sendJson(res, 200, await backend.list(bucket, listOptions(req)));
      default:
        throw methodNotAllowed(res, 'GET, HEAD, PUT, DELETE');
    }
  }
  const key = decodeKey(rawKey);
  switch (method) {
    case 'PUT':
      return putObject(req, res, backend, bucket, key);
    case 'GET':
      return getObject(req, res, backend, bucket, key);
    case 'HEAD':
      return headObject(req, res, backend, bucket, key);
    case 'DELETE': {
      const ifMatch = header(req, 'if-match');
      await backend.deleteObject(bucket, key, ifMatch !== undefined ? { ifMatch } : {});
      return sendEmpty(res, 204);
    }
    default:
      throw methodNotAllowed(res, 'GET, HEAD, PUT, DELETE');
  }
}

async function putObject(req: IncomingMessage, res: ServerResponse, backend: BlobBackend, bucket: string, key: string): Promise<void> {
  const declared = header(req, 'content-length');
  if (declared !== undefined && Number(declared) > MAX_OBJECT_BYTES) {
    throw new BlobError('NIMBUS_ERR_BLOB_TOO_LARGE', `Content-Length ${declared} is more than ${MAX_OBJECT_BYTES} bytes`, { field: 'Content-Length' });
  }
  const metadata: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (name.startsWith(METADATA_HEADER_PREFIX) && typeof value === 'string') metadata[name.slice(METADATA_HEADER_PREFIX.length)] = value;
  }
  const ifMatch = header(req, 'if-match');
  const ifNoneMatch = header(req, 'if-none-match');
  const contentType = header(req, 'content-type');
  const result = await backend.putObject(bucket, key, req, {
    metadata,
    ...(contentType !== undefined ? { contentType } : {}),
    ...(ifMatch !== undefined ? { ifMatch } : {}),
    ...(ifNoneMatch !== undefined ? { ifNoneMatch } : {}),
  });
  res.setHeader('ETag', result.etag);
  sendJson(res, result.eventType === 'created' ? 201 : 200, { bucket, key, ...result });
}

async function getObject(req: IncomingMessage, res: ServerResponse, backend: BlobBackend, bucket: string, key: string): Promise<void> {
  const range = parseRangeHeader(header(req, 'range'));
  const ifMatch = header(req, 'if-match');
  const ifNoneMatch = header(req, 'if-none-match');
  const result = await backend.getObject(bucket, key, {
    ...(range ? { range } : {}),
    ...(ifMatch !== undefined ? { ifMatch } : {}),
    ...(ifNoneMatch !== undefined ? { ifNoneMatch } : {}),
  });
  const headers = objectHeaders(result.meta);
  if (result.range) {
    const { start, end } = result.range;
    headers['content-length'] = end - start + 1;
    headers['content-range'] = `bytes ${start}-${end}/${result.meta.size}`;
  }
  res.writeHead(result.range ? 206 : 200, headers);
  try {
    await pipeline(result.body, res);
  } catch {
    // The client went away mid-download; pipeline already closed the file.
  }
}

async function headObject(req: IncomingMessage, res: ServerResponse, backend: BlobBackend, bucket: string, key: string): Promise<void> {
  const meta = await backend.headObject(bucket, key);
  const ifMatch = header(req, 'if-match');
  const ifNoneMatch = header(req, 'if-none-match');
  if (ifMatch !== undefined && !conditionMatches(ifMatch, meta.etag)) throw new BlobError('NIMBUS_ERR_BLOB_PRECONDITION_FAILED', 'If-Match', { field: 'If-Match' });
  if (ifNoneMatch !== undefined && conditionMatches(ifNoneMatch, meta.etag)) throw new BlobError('NIMBUS_ERR_BLOB_NOT_MODIFIED', undefined, { etag: meta.etag });
  res.writeHead(200, objectHeaders(meta));
  res.end();
}

function objectHeaders(meta: BlobObjectMeta): OutgoingHttpHeaders {
  const headers: OutgoingHttpHeaders = {
    'content-type': meta.contentType,
    'content-length': meta.size,
    etag: meta.etag,
    'last-modified': new Date(meta.lastModified).toUTCString(),
    'accept-ranges': 'bytes',
    'x-nimbus-sequencer': meta.sequencer,
  };
  for (const [name, value] of Object.entries(meta.metadata)) headers[`${METADATA_HEADER_PREFIX}${name}`] = value;
  return headers;
}

/**
 * One `bytes=` range. Anything else (other units, several ranges, bad
 * syntax) is ignored and the whole object served, as RFC 9110 allows.
 */
export function parseRangeHeader(value: string | undefined): ByteRange | undefined {
  const m = value === undefined ? null : /^bytes=(\d*)-(\d*)$/.exec(value.trim());
  if (!m) return undefined;
  const [, first = '', last = ''] = m;
  if (first === '' && last === '') return undefined;
  if (first === '') {
    const suffix = Number(last);
    return Number.isSafeInteger(suffix) ? { suffix } : undefined;
  }
  const start = Number(first);
  if (!Number.isSafeInteger(start)) return undefined;
  if (last === '') return { start };
  const end = Number(last);
  if (!Number.isSafeInteger(end) || end < start) return undefined;
  return { start, end };
}

function listOptions(req: IncomingMessage): ListOptions {
  const query = new URL(req.url ?? '/', 'http://localhost').searchParams;
  const options: ListOptions = {};
  const prefix = query.get('prefix');
  const delimiter = query.get('delimiter');
  const cursor = query.get('cursor');
  const limit = query.get('limit');
  if (prefix !== null) options.prefix = prefix;
  if (delimiter !== null) options.delimiter = delimiter;
  if (cursor !== null) options.cursor = cursor;
  if (limit !== null) {
    if (!/^\d{1,7}$/.test(limit)) throw new BlobError('NIMBUS_ERR_BLOB_INVALID_REQUEST', 'limit: must be a positive integer', { field: 'limit' });
    options.limit = Number(limit);
  }
  return options;
}

function decodeKey(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw new BlobError('NIMBUS_ERR_BLOB_INVALID_KEY', 'the key is not valid percent-encoding', { field: 'key' });
  }
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

function methodNotAllowed(res: ServerResponse, allow: string): NimbusError {
  res.setHeader('Allow', allow);
  return new NimbusError('NIMBUS_ERR_METHOD_NOT_ALLOWED', undefined, { allow });
}

function sendEmpty(res: ServerResponse, status: number): void {
  res.writeHead(status);
  res.end();
}

function sendError(req: IncomingMessage, res: ServerResponse, err: unknown): void {
  if (res.headersSent || res.destroyed) {
    res.destroy();
    return;
  }
  // A refused upload's body may still be arriving: close rather than read it all to reuse the connection.
  if (!req.complete) res.setHeader('connection', 'close');
  if (err instanceof BlobError && err.code === 'NIMBUS_ERR_BLOB_NOT_MODIFIED') {
    res.writeHead(304, typeof err.details?.etag === 'string' ? { etag: err.details.etag } : {});
    res.end();
    return;
  }
  const error = err instanceof NimbusError ? err : new NimbusError('NIMBUS_ERR_INTERNAL');
  if (err instanceof BlobError && err.code === 'NIMBUS_ERR_BLOB_RANGE_NOT_SATISFIABLE' && typeof err.details?.size === 'number') {
    res.setHeader('content-range', `bytes */${err.details.size}`);
  }
  sendJson(res, error.status, error.toJSON(), errorHeaders(error));
}
