import { DEFAULT_LIST_LIMIT, MAX_LIST_LIMIT, type ListOptions, type ListResult } from './blob-backend.js';
import { BlobError } from './blob-errors.js';
import { MAX_KEY_BYTES } from './blob-names.js';

/**
 * What every BlobIndex shares, whatever holds it: checking list and
 * event-log arguments, and turning ordered key ranges into list pages with
 * common prefixes. Keys are compared as UTF-8 bytes everywhere.
 */

export const MAX_READ_BATCH = 10_000;
export const MAX_CURSOR_NAME_LENGTH = 200;
export const MAX_DELIMITER_BYTES = 16;

/** Never the first byte of UTF-8 text: `prefix + 0xFF` sorts after every key that starts with `prefix`. */
const AFTER_ALL = Buffer.from([0xff]);

export interface ListedRow {
  key: Buffer;
  size: number;
  etag: string;
  contentType: string;
  lastModified: number;
}

/** Up to `limit` rows of the bucket with `after < key`, `low <= key < high`, in byte order. */
export type ListPageReader = (after: Buffer, low: Buffer, high: Buffer, limit: number) => Promise<ListedRow[]>;

/** One list page: reads ranges of keys until `limit` entries (objects and common prefixes) are found. */
export async function listByRanges(options: ListOptions, readPage: ListPageReader): Promise<ListResult> {
  const { prefix, delimiter, limit, resumeAfter } = validateListOptions(options);
  const low = Buffer.from(prefix, 'utf8');
  const high = Buffer.concat([low, AFTER_ALL]);
  const result: ListResult = { objects: [], commonPrefixes: [], nextCursor: null };
  let after = resumeAfter;
  let count = 0;
  scan: for (;;) {
    const rows = await readPage(after, low, high, limit + 1);
    for (const row of rows) {
      if (count === limit) {
        result.nextCursor = after.toString('base64url');
        break scan;
      }
      const key = row.key.toString('utf8');
      const cut = delimiter ? key.indexOf(delimiter, prefix.length) : -1;
      if (delimiter && cut >= 0) {
        const commonPrefix = key.slice(0, cut + delimiter.length);
        result.commonPrefixes.push(commonPrefix);
        count++;
        // Skip every key under this prefix: they sort before prefix + 0xFF.
        after = Buffer.concat([Buffer.from(commonPrefix, 'utf8'), AFTER_ALL]);
        continue scan;
      }
      result.objects.push({ key, size: row.size, etag: row.etag, contentType: row.contentType, lastModified: row.lastModified });
      count++;
      after = row.key;
    }
    if (rows.length <= limit) break;
  }
  return result;
}

export function validateCursorName(name: string): void {
  if (typeof name !== 'string' || name.length === 0 || name.length > MAX_CURSOR_NAME_LENGTH) {
    throw new RangeError(`cursorName must be 1-${MAX_CURSOR_NAME_LENGTH} characters`);
  }
}

export function validateReadLimit(limit: number): void {
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_READ_BATCH) {
    throw new RangeError(`limit must be an integer from 1 to ${MAX_READ_BATCH}`);
  }
}

export function validateCursorPosition(position: number): void {
  if (!Number.isSafeInteger(position) || position < 0) throw new RangeError('position must be a non-negative integer');
}

function invalidList(field: string, why: string): BlobError {
  return new BlobError('NIMBUS_ERR_BLOB_INVALID_REQUEST', `${field}: ${why}`, { field });
}

function validateListOptions(options: ListOptions): { prefix: string; delimiter: string; limit: number; resumeAfter: Buffer } {
  const prefix = options.prefix ?? '';
  if (typeof prefix !== 'string' || Buffer.byteLength(prefix, 'utf8') > MAX_KEY_BYTES) throw invalidList('prefix', `at most ${MAX_KEY_BYTES} bytes`);
  const delimiter = options.delimiter ?? '';
  if (typeof delimiter !== 'string' || Buffer.byteLength(delimiter, 'utf8') > MAX_DELIMITER_BYTES) throw invalidList('delimiter', `at most ${MAX_DELIMITER_BYTES} bytes`);
  const limit = options.limit ?? DEFAULT_LIST_LIMIT;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIST_LIMIT) throw invalidList('limit', `an integer from 1 to ${MAX_LIST_LIMIT}`);
  let resumeAfter = Buffer.alloc(0);
  if (options.cursor !== undefined && options.cursor !== '') {
    resumeAfter = Buffer.from(options.cursor, 'base64url');
    if (resumeAfter.toString('base64url') !== options.cursor || resumeAfter.length > MAX_KEY_BYTES + 1) throw invalidList('cursor', 'not a cursor this store returned');
  }
  return { prefix, delimiter, limit, resumeAfter };
}
