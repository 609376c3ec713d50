import { MAX_KEY_BYTES } from '../../blobs/blob-names.js';

export const MAX_PATTERN_LENGTH = MAX_KEY_BYTES;
export const MAX_CAPTURES = 16;
const CAPTURE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** A compiled blob key pattern. */
export interface BlobPathPattern {
  readonly source: string;
  /** The named captures when the key matches, else null. */
  match(key: string): Record<string, string> | null;
}

export class PathPatternError extends Error {
  constructor(readonly pattern: string, why: string) {
    super(`path ${JSON.stringify(pattern)}: ${why}`);
    this.name = 'PathPatternError';
  }
}

/**
 * Compiles a key pattern. Syntax:
 * - literal text matches itself (regex characters are escaped);
 * - `{name}` captures one or more characters of ONE segment (never `/`);
 *   captures are greedy, so `{name}.{ext}` on `a.b.png` gives name `a.b`, ext `png`;
 * - `{name**}` captures one or more characters across segments (may contain `/`);
 * - the whole key must match: `images/{name}` does not match `images/a/b.png`.
 * Two captures must be separated by literal text (`{a}{b}` is ambiguous).
 */
export function compileBlobPathPattern(pattern: string): BlobPathPattern {
  const fail = (why: string): never => {
    throw new PathPatternError(pattern, why);
  };
  if (typeof pattern !== 'string' || pattern.length === 0) return fail('must be a non-empty string');
  if (pattern.length > MAX_PATTERN_LENGTH) return fail(`longer than ${MAX_PATTERN_LENGTH} characters`);
  if (pattern.startsWith('/')) return fail('must not start with "/" (keys never do)');
  const names: string[] = [];
  let regex = '^';
  let lastWasCapture = false;
  let i = 0;
  while (i < pattern.length) {
    const ch = pattern[i] as string;
    if (ch === '}') return fail(`unmatched "}" at ${i}`);
    if (ch !== '{') {
      regex += escapeRegex(ch);
      lastWasCapture = false;
      i++;
      continue;
    }
    const close = pattern.indexOf('}', i);
    if (close < 0) return fail(`unclosed "{" at ${i}`);
    if (lastWasCapture) return fail(`captures at ${i} must be separated by literal text`);
    const inner = pattern.slice(i + 1, close);
    const multiSegment = inner.endsWith('**');
    const name = multiSegment ? inner.slice(0, -2) : inner;
    if (!CAPTURE_NAME.test(name)) return fail(`capture {${inner}} must be a name (letters, digits, _), optionally followed by **`);
    if (names.includes(name)) return fail(`capture {${name}} appears twice`);
    if (names.length === MAX_CAPTURES) return fail(`more than ${MAX_CAPTURES} captures`);
    names.push(name);
    regex += multiSegment ? '(.+)' : '([^/]+)';
    lastWasCapture = true;
    i = close + 1;
  }
  // 's': a capture may hold any character a key may hold.
  const compiled = new RegExp(`${regex}$`, 'su');
  return {
    source: pattern,
    match(key: string): Record<string, string> | null {
      const m = compiled.exec(key);
      if (!m) return null;
      const params: Record<string, string> = {};
      names.forEach((name, index) => {
        params[name] = m[index + 1] as string;
      });
      return params;
    },
  };
}

/** Matches every key, with no captures: the default when `path` is omitted. */
export const EVERY_KEY: BlobPathPattern = { source: '', match: () => ({}) };

function escapeRegex(ch: string): string {
  return /[\\^$.*+?()[\]{}|/-]/.test(ch) ? `\\${ch}` : ch;
}
