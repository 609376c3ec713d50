import type { BlobInfo, BlobObject, FunctionBlobs } from '../../context.js';
import { decodeR2Metadata, encodeR2Metadata, httpMetadataOf, writeHttpMetadata, type R2HTTPMetadata } from './r2-metadata.js';

/** R2's object description: everything but the body (head, put, list). */
export interface R2Object {
  readonly key: string;
  readonly version: string;
  readonly size: number;
  /** Unquoted, as R2 gives it. */
  readonly etag: string;
  /** Quoted, ready for an ETag header. */
  readonly httpEtag: string;
  readonly checksums: { readonly md5?: ArrayBuffer; toJSON(): { md5?: string } };
  readonly uploaded: Date;
  readonly httpMetadata?: R2HTTPMetadata;
  readonly customMetadata?: Record<string, string>;
  readonly storageClass: string;
  writeHttpMetadata(headers: Headers): void;
}

export interface R2ObjectBody extends R2Object {
  readonly body: ReadableStream<Uint8Array>;
  readonly bodyUsed: boolean;
  arrayBuffer(): Promise<ArrayBuffer>;
  bytes(): Promise<Uint8Array>;
  text(): Promise<string>;
  json<T = unknown>(): Promise<T>;
  blob(): Promise<Blob>;
}

export interface R2PutOptions {
  httpMetadata?: R2HTTPMetadata | Headers;
  customMetadata?: Record<string, string>;
}

export interface R2ListOptions {
  limit?: number;
  prefix?: string;
  cursor?: string;
  delimiter?: string;
  startAfter?: string;
  include?: ('httpMetadata' | 'customMetadata')[];
}

export type R2Objects = { objects: R2Object[]; delimitedPrefixes: string[] } & ({ truncated: true; cursor: string } | { truncated: false });

export type R2PutValue = ReadableStream<Uint8Array> | ArrayBuffer | ArrayBufferView | string | null | Blob;

/** An R2 bucket binding (`env.BUCKET`) on a Nimbus bucket. */
export interface R2Bucket {
  head(key: string): Promise<R2Object | null>;
  get(key: string, options?: Record<string, unknown>): Promise<R2ObjectBody | null>;
  put(key: string, value: R2PutValue, options?: R2PutOptions): Promise<R2Object>;
  delete(keys: string | string[]): Promise<void>;
  list(options?: R2ListOptions): Promise<R2Objects>;
}

/** R2's documented default and largest page of a list. */
const LIST_LIMIT = 1000;

export function r2Bucket(blobs: FunctionBlobs, bucket: string): R2Bucket {
  return {
    async head(key) {
      const info = await blobs.head(bucket, key);
      return info ? r2Object(info) : null;
    },
    async get(key, options) {
      refuseOptions('get', options, ['onlyIf', 'range', 'ssecKey']);
      const object = await blobs.get(bucket, key);
      return object ? r2ObjectBody(object) : null;
    },
    async put(key, value, options) {
      refuseOptions('put', options as Record<string, unknown> | undefined, ['onlyIf', 'md5', 'sha1', 'sha256', 'sha384', 'sha512', 'ssecKey']);
      const { contentType, metadata } = encodeR2Metadata(httpMetadataOf(options?.httpMetadata), options?.customMetadata);
      const body = await putBody(value);
      const written = await blobs.put(bucket, key, body, { ...(contentType !== undefined ? { contentType } : {}), metadata });
      return r2Object({
        bucket, key, size: written.size, etag: written.etag, contentType: contentType ?? '', metadata, lastModified: Date.now(),
      });
    },
    async delete(keys) {
      await inChunks(typeof keys === 'string' ? [keys] : keys, (key) => blobs.delete(bucket, key));
    },
    async list(options = {}) {
      refuseOptions('list', options as Record<string, unknown>, ['startAfter']);
      const limit = Math.min(options.limit ?? LIST_LIMIT, LIST_LIMIT);
      const page = await blobs.list(bucket, {
        ...(options.prefix !== undefined ? { prefix: options.prefix } : {}),
        ...(options.delimiter !== undefined ? { delimiter: options.delimiter } : {}),
        ...(options.cursor !== undefined ? { cursor: options.cursor } : {}),
        limit,
      });
      // R2 lists metadata only when asked (include); a listing has none, so each named object is read.
      const wantsMetadata = (options.include ?? []).length > 0;
      const infos = wantsMetadata ? await inChunks(page.objects, (o) => blobs.head(bucket, o.key)) : null;
      const objects = page.objects.map((o, i): R2Object => {
        const object = r2Object(infos?.[i] ?? { ...o, bucket, metadata: {} });
        return wantsMetadata ? object : withoutMetadata(object);
      });
      const base = { objects, delimitedPrefixes: page.commonPrefixes };
      return page.nextCursor !== null ? { ...base, truncated: true, cursor: page.nextCursor } : { ...base, truncated: false };
    },
  };
}

/** Platform calls at most this many at a time for one R2 call (a list with `include`, a delete of many keys). */
const CALLS_AT_ONCE = 16;

/** `call` for every item, CALLS_AT_ONCE at a time, results in order. */
async function inChunks<T, R>(items: readonly T[], call: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  for (let i = 0; i < items.length; i += CALLS_AT_ONCE) results.push(...(await Promise.all(items.slice(i, i + CALLS_AT_ONCE).map(call))));
  return results;
}

/** Options whose R2 behaviour Nimbus blobs cannot give: refused by name rather than silently ignored. */
function refuseOptions(method: string, options: Record<string, unknown> | undefined, names: string[]): void {
  for (const name of names) {
    if (options?.[name] !== undefined) throw new TypeError(`R2 ${method}() option "${name}" is not supported on Nimbus (see docs/adapters-workers.md)`);
  }
}

async function putBody(value: R2PutValue): Promise<string | Uint8Array | ArrayBuffer | ReadableStream<Uint8Array>> {
  if (value === null) return new Uint8Array(0);
  if (typeof value === 'string' || value instanceof ArrayBuffer || value instanceof ReadableStream) return value;
  if (value instanceof Blob) return new Uint8Array(await value.arrayBuffer());
  return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
}

function r2Object(info: BlobInfo): R2Object {
  const etag = info.etag.replace(/^"|"$/g, '');
  const { httpMetadata, customMetadata } = decodeR2Metadata(info);
  const md5 = /^[0-9a-f]{32}$/.test(etag) ? etag : undefined;
  return {
    key: info.key,
    version: etag,
    size: info.size,
    etag,
    httpEtag: `"${etag}"`,
    checksums: {
      ...(md5 ? { md5: new Uint8Array(Buffer.from(md5, 'hex')).buffer } : {}),
      toJSON: () => (md5 ? { md5 } : {}),
    },
    uploaded: new Date(info.lastModified),
    httpMetadata,
    customMetadata,
    storageClass: 'Standard',
    writeHttpMetadata: (headers) => writeHttpMetadata(httpMetadata, headers),
  };
}

function withoutMetadata(object: R2Object): R2Object {
  const { httpMetadata: _http, customMetadata: _custom, ...rest } = object;
  return { ...rest, writeHttpMetadata: () => {} };
}

function r2ObjectBody(object: BlobObject): R2ObjectBody {
  let used = false;
  const take = (): BlobObject => {
    if (used) throw new TypeError('the R2 object body has already been read');
    used = true;
    return object;
  };
  return {
    ...r2Object(object),
    get body() {
      return object.body;
    },
    get bodyUsed() {
      return used;
    },
    // async: a second read rejects, as a used body's reader methods do, rather than throwing.
    arrayBuffer: async () => take().arrayBuffer(),
    bytes: async () => new Uint8Array(await take().arrayBuffer()),
    text: async () => take().text(),
    json: async <T>() => take().json<T>(),
    blob: async () => new Blob([await take().arrayBuffer()], object.contentType ? { type: object.contentType } : {}),
  };
}
