import { test } from 'node:test';
import assert from 'node:assert/strict';
import { leadingLiteral, parseRoute, routeShape } from '../../../src/triggers/http/route.js';

test('a route parses into its method and segments: literals, parameters, a closing *', () => {
  assert.deepEqual(parseRoute('GET /orders/:id/*'), {
    method: 'GET', path: '/orders/:id/*', segments: [{ literal: 'orders' }, { param: 'id' }, { rest: true }],
  });
  assert.deepEqual(parseRoute('  post   /a/b/  '), { method: 'POST', path: '/a/b/', segments: [{ literal: 'a' }, { literal: 'b' }] }, 'any case, spaces and a trailing slash');
  assert.deepEqual(parseRoute('/'), { method: '*', path: '/', segments: [] }, 'a path alone is any method');
  assert.equal(routeShape(parseRoute('DELETE /x/:a/:b')), 'x/:/:');
});

test('a route that cannot work is refused with a message naming the problem', () => {
  const refused: [string, RegExp][] = [
    ['GET /a extra', /must look like "GET \/path\/:param"/],
    ['FETCH /a', /unknown method "FETCH"/],
    ['GET a/b', /the path must start with "\/"/],
    ['GET /a/*/b', /"\*" may only end a path/],
    ['GET /a/:id/:id', /names the parameter "id" twice/],
    ['GET /a//b', /invalid path segment ""/],
    ['GET /a/:9x', /invalid path segment ":9x"/],
    ['GET /a b/c', /must look like/],
    ['GET /a/%zz', /invalid path segment "%zz"/],
  ];
  for (const [spec, message] of refused) assert.throws(() => parseRoute(spec), message, spec);
  for (const reserved of ['/_nimbus', '/_nimbus/x', '/fn', '/fn/a', '/metrics', '/metrics/x']) {
    assert.throws(() => parseRoute(`GET ${reserved}`), /reserved by Nimbus/, reserved);
  }
  assert.doesNotThrow(() => parseRoute('GET /fnord'), 'a path that only starts like a reserved one is free');
});


test('a route\'s leading literal, read without parsing it, is its first segment when that is a literal', () => {
  const accepted = ['GET /orders/:id/*', '  post   /a/b/  ', '/', '/x', 'GET /', 'GET /:id', 'GET /*', '* /a', 'DELETE\t/tab/x', 'GET /a.b~c/d',
    "PUT /o'k(1)/x", 'GET /orders/', 'GET\u00a0/nbsp/x', 'GET\v/vt'];
  for (const spec of accepted) {
    const first = parseRoute(spec).segments[0];
    assert.equal(leadingLiteral(spec), first && 'literal' in first ? first.literal : null, spec);
  }
  // A spec whose first segment parseRoute would refuse gets none: the table then parses it at once. (One refused
  // further on, `GET /a/:a/:a`, does get its first segment.)
  for (const spec of ['GET a/b', 'GE/T /x', 'GET /a%zz/b', 'GET //a', 'OPTIONS /x:y/z']) {
    assert.throws(() => parseRoute(spec), Error, spec);
    assert.equal(leadingLiteral(spec), null, spec);
  }
});
