/**
 * JSON from outside the node (a client's body, an instance's frame, a
 * deployed source map) is parsed with a size and a nesting cap. V8's
 * JSON.parse copes with deep nesting, but whatever walks the value
 * afterwards (zod, a recursive rewrite, JSON.stringify) may not: the depth is
 * checked first, in one pass over the bytes, so nothing deep ever exists.
 */
export interface JsonLimits {
  /** Largest accepted text, in bytes. */
  maxBytes: number;
  /** Deepest accepted nesting of arrays and objects (a scalar is depth 0). */
  maxDepth: number;
}

/** What a client body may be: deep enough for any real settings object, far from a stack overflow. */
export const DEFAULT_JSON_DEPTH = 64;

export type JsonLimitReason = 'too-large' | 'too-deep' | 'invalid';

export class JsonLimitError extends Error {
  constructor(readonly reason: JsonLimitReason, message: string) {
    super(message);
    this.name = 'JsonLimitError';
  }
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;

/** The deepest nesting in `bytes`, stopping as soon as it passes `limit`. Bytes ≥ 0x80 never look like structure in UTF-8. */
export function jsonDepthExceeds(bytes: Uint8Array, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (inString) {
      if (b === BACKSLASH) i++;
      else if (b === QUOTE) inString = false;
      continue;
    }
    if (b === QUOTE) inString = true;
    else if (b === OPEN_BRACE || b === OPEN_BRACKET) {
      if (++depth > limit) return true;
    } else if (b === CLOSE_BRACE || b === CLOSE_BRACKET) depth--;
  }
  return false;
}

/** Parses JSON within `limits`; throws JsonLimitError naming what was wrong. */
export function parseBoundedJson(input: Uint8Array | string, limits: JsonLimits): unknown {
  const bytes = typeof input === 'string' ? Buffer.from(input, 'utf8') : input;
  if (bytes.byteLength > limits.maxBytes) {
    throw new JsonLimitError('too-large', `${bytes.byteLength} bytes, limit ${limits.maxBytes}`);
  }
  if (jsonDepthExceeds(bytes, limits.maxDepth)) {
    throw new JsonLimitError('too-deep', `nested deeper than ${limits.maxDepth} levels`);
  }
  const text = typeof input === 'string' ? input : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new JsonLimitError('invalid', `not valid JSON (${(err as Error).message})`);
  }
}
