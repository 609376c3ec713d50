import { NimbusError } from '../../shared/errors.js';
import type { BlobEventType, BlobSettings } from '../../sdk/definition.js';
import { validateBucketName } from '../../blobs/blob-names.js';
import { BACKOFF_FIELDS, DEFAULT_BACKOFF, DEFAULT_MAX_ATTEMPTS, type BackoffSettings } from '../retry-policy.js';
import { compileBlobPathPattern, EVERY_KEY, type BlobPathPattern } from './path-pattern.js';

export const BLOB_EVENT_TYPES: readonly BlobEventType[] = ['created', 'updated', 'deleted'];
/** Creates and overwrites: what a function that processes uploads wants by default. */
export const DEFAULT_BLOB_EVENTS: readonly BlobEventType[] = ['created', 'updated'];
export const MAX_BLOB_ATTEMPTS = 100;
export const MAX_BACKOFF_MS = 24 * 60 * 60 * 1000;

/** A blob trigger's settings with defaults applied and its pattern compiled. */
export interface ResolvedBlobTrigger {
  bucket: string;
  /** The pattern as written; '' when every key matches. */
  path: string;
  pattern: BlobPathPattern;
  events: BlobEventType[];
  maxAttempts: number;
  backoff: BackoffSettings;
}

/** The blob trigger's own field names (what validateBlobSettings reads), for a deploy to refuse any other. */
export const BLOB_TRIGGER_FIELDS: readonly (keyof BlobSettings)[] = ['bucket', 'path', 'events', 'maxAttempts', 'backoff'];

function invalid(field: string, why: string): NimbusError {
  return new NimbusError('NIMBUS_ERR_DEPLOY_INVALID_DEFINITION', `${field}: ${why}`, { field });
}

/**
 * Validates a `blob()` definition's trigger settings at deploy. Throws
 * NIMBUS_ERR_DEPLOY_INVALID_DEFINITION naming the field (`details.field`).
 * Function settings (memoryMb…) are the platform's to check, not this one's.
 */
export function validateBlobSettings(settings: unknown): ResolvedBlobTrigger {
  if (typeof settings !== 'object' || settings === null || Array.isArray(settings)) throw invalid('settings', 'must be an object');
  const s = settings as Record<string, unknown>;

  try {
    validateBucketName(s.bucket);
  } catch (err) {
    throw invalid('bucket', (err as Error).message);
  }
  const bucket = s.bucket as string;

  let pattern = EVERY_KEY;
  if (s.path !== undefined && s.path !== '') {
    if (typeof s.path !== 'string') throw invalid('path', 'must be a string');
    try {
      pattern = compileBlobPathPattern(s.path);
    } catch (err) {
      throw invalid('path', (err as Error).message);
    }
  }

  let events = [...DEFAULT_BLOB_EVENTS];
  if (s.events !== undefined) {
    if (!Array.isArray(s.events) || s.events.length === 0) throw invalid('events', `must be a non-empty array of ${BLOB_EVENT_TYPES.join(', ')}`);
    for (const e of s.events) {
      if (!BLOB_EVENT_TYPES.includes(e as BlobEventType)) throw invalid('events', `${JSON.stringify(e)} is not one of ${BLOB_EVENT_TYPES.join(', ')}`);
    }
    events = [...new Set(s.events as BlobEventType[])];
  }

  let maxAttempts = DEFAULT_MAX_ATTEMPTS;
  if (s.maxAttempts !== undefined) {
    if (!Number.isInteger(s.maxAttempts) || (s.maxAttempts as number) < 1 || (s.maxAttempts as number) > MAX_BLOB_ATTEMPTS) {
      throw invalid('maxAttempts', `must be an integer from 1 to ${MAX_BLOB_ATTEMPTS}`);
    }
    maxAttempts = s.maxAttempts as number;
  }

  const backoff = { ...DEFAULT_BACKOFF };
  if (s.backoff !== undefined) {
    if (typeof s.backoff !== 'object' || s.backoff === null) throw invalid('backoff', 'must be an object');
    const b = s.backoff as Record<string, unknown>;
    for (const field of BACKOFF_FIELDS) {
      const value = b[field];
      if (value === undefined) continue;
      if (!Number.isInteger(value) || (value as number) < 0 || (value as number) > MAX_BACKOFF_MS) {
        throw invalid(`backoff.${field}`, `must be an integer from 0 to ${MAX_BACKOFF_MS}`);
      }
      backoff[field] = value as number;
    }
    if (backoff.maxMs < backoff.initialMs) throw invalid('backoff.maxMs', 'must be at least backoff.initialMs');
  }

  return { bucket, path: pattern.source, pattern, events, maxAttempts, backoff };
}
