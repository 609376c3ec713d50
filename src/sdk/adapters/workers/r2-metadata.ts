import type { BlobInfo } from '../../context.js';

/** R2's HTTP metadata: what a GET of the object would answer with. */
export interface R2HTTPMetadata {
  contentType?: string;
  contentLanguage?: string;
  contentDisposition?: string;
  contentEncoding?: string;
  cacheControl?: string;
  cacheExpiry?: Date;
}

/**
 * Nimbus blob metadata names are header-safe and lower-cased, values printable
 * ASCII; R2's custom metadata keeps any names and values. What R2 keeps beyond
 * the content type therefore travels in one metadata entry, base64url JSON.
 * Objects written without it (by native code, the CLI, S3 clients) show their
 * own metadata as custom metadata.
 */
export const R2_METADATA_NAME = 'workers-r2';

interface StoredR2Metadata {
  http?: Omit<R2HTTPMetadata, 'contentType' | 'cacheExpiry'> & { cacheExpiry?: string };
  custom?: Record<string, string>;
}

export function encodeR2Metadata(http: R2HTTPMetadata | undefined, custom: Record<string, string> | undefined): { contentType?: string; metadata: Record<string, string> } {
  const { contentType, cacheExpiry, ...rest } = http ?? {};
  const stored: StoredR2Metadata = {};
  const httpRest = { ...rest, ...(cacheExpiry ? { cacheExpiry: cacheExpiry.toISOString() } : {}) };
  if (Object.keys(httpRest).length > 0) stored.http = httpRest;
  if (custom && Object.keys(custom).length > 0) stored.custom = { ...custom };
  const metadata: Record<string, string> = {};
  if (Object.keys(stored).length > 0) metadata[R2_METADATA_NAME] = Buffer.from(JSON.stringify(stored)).toString('base64url');
  return { ...(contentType !== undefined ? { contentType } : {}), metadata };
}

export function decodeR2Metadata(info: Pick<BlobInfo, 'contentType' | 'metadata'>): { httpMetadata: R2HTTPMetadata; customMetadata: Record<string, string> } {
  const raw = info.metadata[R2_METADATA_NAME];
  let stored: StoredR2Metadata = {};
  if (raw !== undefined) {
    try {
      stored = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as StoredR2Metadata;
    } catch {
      stored = {};
    }
  }
  const { cacheExpiry, ...http } = stored.http ?? {};
  const httpMetadata: R2HTTPMetadata = { ...http, ...(cacheExpiry ? { cacheExpiry: new Date(cacheExpiry) } : {}) };
  if (info.contentType) httpMetadata.contentType = info.contentType;
  const customMetadata = raw === undefined ? { ...info.metadata } : { ...(stored.custom ?? {}) };
  return { httpMetadata, customMetadata };
}

/** R2's `httpMetadata` option may be a Headers object: its standard headers become the fields. */
export function httpMetadataOf(value: R2HTTPMetadata | Headers | undefined): R2HTTPMetadata | undefined {
  if (!(value instanceof Headers)) return value;
  const fields: [keyof R2HTTPMetadata, string][] = [
    ['contentType', 'content-type'], ['contentLanguage', 'content-language'], ['contentDisposition', 'content-disposition'],
    ['contentEncoding', 'content-encoding'], ['cacheControl', 'cache-control'],
  ];
  const out: R2HTTPMetadata = {};
  for (const [field, header] of fields) {
    const v = value.get(header);
    if (v !== null) (out as Record<string, string>)[field] = v;
  }
  const expires = value.get('expires');
  if (expires !== null) out.cacheExpiry = new Date(expires);
  return out;
}

/** R2Object.writeHttpMetadata: the object's HTTP metadata as response headers. */
export function writeHttpMetadata(http: R2HTTPMetadata, headers: Headers): void {
  if (http.contentType) headers.set('content-type', http.contentType);
  if (http.contentLanguage) headers.set('content-language', http.contentLanguage);
  if (http.contentDisposition) headers.set('content-disposition', http.contentDisposition);
  if (http.contentEncoding) headers.set('content-encoding', http.contentEncoding);
  if (http.cacheControl) headers.set('cache-control', http.cacheControl);
  if (http.cacheExpiry) headers.set('expires', http.cacheExpiry.toUTCString());
}
