import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingHttpHeaders } from 'node:http';
import { CredentialFilter } from '../../src/auth/credential-filter.js';

/** An admin key without the usual prefix, as NIMBUS_ADMIN_KEY may set it. */
const ADMIN_KEY = 'plain-admin-secret';
const API_KEY = `nbk_0123456789abcdef_${'A'.repeat(43)}`;
const filter = new CredentialFilter(ADMIN_KEY);

/** The headers a function would see after the filter, for one request's raw headers. */
function strip(raw: [string, string][], authenticated: boolean): [string, string][] {
  const parsed: IncomingHttpHeaders = {};
  for (const [name, value] of raw) parsed[name.toLowerCase()] ??= value;
  const headers = raw.map(([name, value]) => [name, value] as [string, string]);
  filter.stripHeaders(headers, parsed, authenticated);
  return headers;
}

describe('credential filter: headers', () => {
  test('x-nimbus-key never reaches a function, whatever the route and however it is spelt', () => {
    for (const authenticated of [true, false]) {
      assert.deepEqual(strip([['X-Nimbus-Key', API_KEY], ['accept', '*/*']], authenticated), [['accept', '*/*']]);
      assert.deepEqual(strip([['x-nimbus-key', 'anything at all']], authenticated), []);
    }
  });

  test('on a route that needs a key, the Bearer token Nimbus read is removed; another scheme stays', () => {
    assert.deepEqual(strip([['Authorization', 'Bearer whatever-it-was'], ['accept', '*/*']], true), [['accept', '*/*']]);
    assert.deepEqual(strip([['authorization', 'Basic dXNlcjpwYXNz']], true), [['authorization', 'Basic dXNlcjpwYXNz']]);
  });

  test('on an anonymous route, a Nimbus key is removed in any form; the function’s own token arrives', () => {
    for (const value of [`Bearer ${API_KEY}`, `bearer  ${API_KEY} `, API_KEY, `Token ${API_KEY}`, `Bearer ${ADMIN_KEY}`, ADMIN_KEY, `Bearer nbk_admin_${'x'.repeat(43)}`]) {
      assert.deepEqual(strip([['Authorization', value], ['accept', '*/*']], false), [['accept', '*/*']], value);
    }
    for (const value of ['Bearer eyJhbGciOiJIUzI1NiJ9.e30.sig', 'Basic dXNlcjpwYXNz', 'Bearer my-own-nbk_token', `Bearer ${ADMIN_KEY}x`]) {
      assert.deepEqual(strip([['Authorization', value]], false), [['Authorization', value]], value);
    }
  });

  test('every copy of a repeated header is looked at', () => {
    assert.deepEqual(strip([['authorization', 'Bearer mine'], ['Authorization', `Bearer ${API_KEY}`], ['x-nimbus-key', 'a'], ['x-nimbus-key', 'b']], false), [['authorization', 'Bearer mine']]);
  });

  test('a request without credentials is left as it was', () => {
    const headers: [string, string][] = [['accept', '*/*'], ['x-other', 'nbk_not-a-credential-header']];
    const before = [...headers];
    filter.stripHeaders(headers, { accept: '*/*', 'x-other': 'nbk_not-a-credential-header' }, true);
    assert.deepEqual(headers, before);
  });
});

describe('credential filter: the URL', () => {
  test('a route that needs a key loses every key parameter, however it is encoded, and keeps the rest byte for byte', () => {
    assert.equal(filter.stripUrl(`/orders?key=${API_KEY}`, true), '/orders');
    assert.equal(filter.stripUrl('/orders?a=1%202+3&key=x&b=%E2%9C%93', true), '/orders?a=1%202+3&b=%E2%9C%93');
    assert.equal(filter.stripUrl('/orders?k%65y=x&%6B%65%79=y&key&key=&page=2', true), '/orders?page=2');
    assert.equal(filter.stripUrl('/orders?page=2&key=x#key=y', true), '/orders?page=2#key=y');
  });

  test('an anonymous route loses only a key parameter holding a Nimbus key', () => {
    assert.equal(filter.stripUrl(`/search?q=cats&key=${encodeURIComponent(API_KEY)}`, false), '/search?q=cats');
    assert.equal(filter.stripUrl(`/search?key=${ADMIN_KEY}&q=cats`, false), '/search?q=cats');
    assert.equal(filter.stripUrl('/search?key=the-maps-api-key&q=cats', false), '/search?key=the-maps-api-key&q=cats');
  });

  test('a URL without a key parameter comes back as the very same string', () => {
    for (const url of ['/plain', '/q?page=2', '/q?keys=1&monkey=2&KEY=3', '/q?name=a%20b', '/q?ke+y=1']) {
      assert.equal(filter.stripUrl(url, true), url);
    }
  });

  test('the admin key is recognised whatever its form; API keys by their prefix', () => {
    assert.equal(filter.isNimbusKey(ADMIN_KEY), true);
    assert.equal(filter.isNimbusKey(API_KEY), true);
    assert.equal(filter.isNimbusKey('someone-elses-token'), false);
  });
});
