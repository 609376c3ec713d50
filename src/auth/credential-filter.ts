import type { IncomingHttpHeaders } from 'node:http';
import { API_KEY_PREFIX } from './api-keys.js';
import { BEARER, KEY_HEADER, KEY_QUERY_PARAM } from './authorize.js';
import { constantTimeEqual } from './constant-time.js';

const AUTHORIZATION = 'authorization';
/** A token (the whole value, or a word of it) that starts like every key Nimbus makes. */
const NIMBUS_SHAPED = new RegExp(`(?:^|\\s)${API_KEY_PREFIX}`);

/**
 * Takes out of a request every credential Nimbus used, or could have used,
 * to authorise it, so a function never sees a caller's key (docs/auth.md,
 * "What a function sees"):
 *
 * - `x-nimbus-key` is always removed;
 * - `Authorization` is removed when Nimbus read it (a Bearer token on a route
 *   that needs a key) or when it carries a Nimbus key (a word starting with
 *   `nbk_`, or the admin key) on any route;
 * - a `key` query parameter is removed on a route that needs a key, and on any
 *   route when its value is a Nimbus key.
 *
 * A function's own Authorization scheme and `?key=` on an anonymous route
 * arrive untouched. The common request carries none of these and costs two
 * property reads and a scan of the query string, with no allocation.
 */
export class CredentialFilter {
  readonly #adminKey: string;

  constructor(adminKey: string) {
    this.#adminKey = adminKey;
  }

  /**
   * Removes credential headers from `headers` (name/value pairs, as the
   * function will see them) in place. `parsed` is the request's parsed
   * headers: when it has neither header, nothing else is looked at.
   */
  stripHeaders(headers: [string, string][], parsed: IncomingHttpHeaders, authenticated: boolean): void {
    if (parsed[AUTHORIZATION] === undefined && parsed[KEY_HEADER] === undefined) return;
    let kept = 0;
    for (const pair of headers) {
      if (!this.#isCredentialHeader(pair[0], pair[1], authenticated)) headers[kept++] = pair;
    }
    headers.length = kept;
  }

  /**
   * `target` (a request target: path and query) without the `key` query
   * parameters this rule removes; the very same string when there are none.
   */
  stripUrl(target: string, authenticated: boolean): string {
    const query = target.indexOf('?');
    if (query < 0) return target;
    // The parameter Nimbus reads is named "key", perhaps percent-encoded: no "key" and no "%" means none.
    if (target.indexOf(KEY_QUERY_PARAM, query) < 0 && target.indexOf('%', query) < 0) return target;
    const hash = target.indexOf('#', query);
    const end = hash < 0 ? target.length : hash;
    const parts = target.slice(query + 1, end).split('&');
    const kept = parts.filter((part) => !this.#isCredentialParam(part, authenticated));
    if (kept.length === parts.length) return target;
    return target.slice(0, query) + (kept.length > 0 ? `?${kept.join('&')}` : '') + target.slice(end);
  }

  /** Whether `value` is a key Nimbus accepts or issues: any `nbk_…` key, or the admin key whatever its form. */
  isNimbusKey(value: string): boolean {
    return value.startsWith(API_KEY_PREFIX) || constantTimeEqual(this.#adminKey, value);
  }

  #isCredentialHeader(name: string, value: string, authenticated: boolean): boolean {
    if (name.length === KEY_HEADER.length && name.toLowerCase() === KEY_HEADER) return true;
    if (name.length !== AUTHORIZATION.length || name.toLowerCase() !== AUTHORIZATION) return false;
    if (authenticated && BEARER.test(value)) return true;
    if (NIMBUS_SHAPED.test(value)) return true;
    const trimmed = value.trim();
    const lastSpace = Math.max(trimmed.lastIndexOf(' '), trimmed.lastIndexOf('\t'));
    return constantTimeEqual(this.#adminKey, lastSpace < 0 ? trimmed : trimmed.slice(lastSpace + 1));
  }

  #isCredentialParam(part: string, authenticated: boolean): boolean {
    const equals = part.indexOf('=');
    const name = equals < 0 ? part : part.slice(0, equals);
    if (formDecode(name) !== KEY_QUERY_PARAM) return false;
    if (authenticated) return true;
    const raw = equals < 0 ? '' : part.slice(equals + 1);
    const value = formDecode(raw) ?? raw;
    return value !== '' && this.isNimbusKey(value);
  }
}

/** A query component decoded as URLSearchParams does; undefined when it is not valid percent-encoding (so it cannot equal "key"). */
function formDecode(component: string): string | undefined {
  if (component.indexOf('%') < 0 && component.indexOf('+') < 0) return component;
  try {
    return decodeURIComponent(component.replace(/\+/g, ' '));
  } catch {
    return undefined;
  }
}
