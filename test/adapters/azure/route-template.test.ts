import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRouteTemplate } from '../../../src/sdk/adapters/azure/route-template.js';
import { nimbusFunctionName } from '../../../src/sdk/adapters/function-name.js';

test('route templates become Nimbus paths under the prefix', () => {
  const cases: [string, string, string][] = [
    ['hello', 'api', '/api/hello'],
    ['products/{category:alpha}/{id:int?}', 'api', '/api/products/:category/*'],
    ['files/{*path}', 'api', '/api/files/*'],
    ['/users/{id}/', 'v1', '/v1/users/:id'],
    ['hello', '', '/hello'],
    ['', '', '/'],
    ['items/{page=1}', 'api', '/api/items/*'],
  ];
  for (const [template, prefix, path] of cases) assert.equal(parseRouteTemplate(template, prefix).path, path, template);
});

test('parameters come back from Nimbus params and the rest, constraints checked, defaults filled', () => {
  const product = parseRouteTemplate('products/{category:alpha}/{id:int?}', 'api');
  assert.deepEqual(product.match({ category: 'books', '*': '42' }), { category: 'books', id: '42' });
  assert.deepEqual(product.match({ category: 'books', '*': '' }), { category: 'books' });
  assert.equal(product.match({ category: 'b00ks', '*': '' }), null, 'alpha');
  assert.equal(product.match({ category: 'books', '*': 'x' }), null, 'int');
  assert.equal(product.match({ category: 'books', '*': '1/2' }), null, 'one optional segment only');
  assert.equal(product.match({ category: 'books', '*': '99999999999' }), null, 'int is 32-bit');
  assert.deepEqual(parseRouteTemplate('files/{*path}', 'api').match({ '*': 'a/b%20c/d.txt' }), { path: 'a/b c/d.txt' });
  assert.deepEqual(parseRouteTemplate('items/{page=1}', 'api').match({ '*': '' }), { page: '1' });
  const checks: [string, string, boolean][] = [
    ['{v:guid}', '3f2504e0-4f89-11d3-9a0c-0305e82c3301', true], ['{v:guid}', 'nope', false],
    ['{v:bool}', 'True', true], ['{v:bool}', 'yes', false],
    ['{v:double}', '-1.5e3', true], ['{v:double}', '1.2.3', false],
    ['{v:long}', '12345678901', true], ['{v:min(10)}', '9', false], ['{v:max(10)}', '10', true],
    ['{v:range(1,3)}', '2', true], ['{v:range(1,3)}', '4', false],
    ['{v:length(2)}', 'ab', true], ['{v:length(2,3)}', 'abcd', false], ['{v:minlength(2)}', 'a', false], ['{v:maxlength(2)}', 'ab', true],
    ['{v:datetime}', '2026-01-01', true], ['{v:datetime}', 'soon', false],
    ['{v:regex(^\\d+$)}', '123', true], ['{v:regex(^\\d+$)}', '12a', false], ['{v:regex(^[a-z]+:[0-9]+$)}', 'AB:12', true],
    ['{v:int:min(5)}', '7', true], ['{v:int:min(5)}', '3', false],
  ];
  for (const [template, value, ok] of checks) assert.equal(parseRouteTemplate(template, '').match({ v: value }) !== null, ok, `${template} ${value}`);
  assert.deepEqual(parseRouteTemplate('{v:int}', '').constraints, ['v:int']);
});

test('templates Nimbus cannot express are refused with the reason', () => {
  const refused: [string, RegExp][] = [
    ['files/{name}.{ext}', /mixes a parameter with other text/],
    ['a/{b?}/c', /literal segment "c" follows an optional parameter/],
    ['{*all}/more', /catch-all \{\*all\} must end the route/],
    ['{v:unicorn}', /constraint "unicorn"/],
    ['{v:regex([)}', /not a JavaScript regular expression/],
    ['{a}/{A}', /named twice/],
    ['{v:range(1)}', /needs 2 number/],
  ];
  for (const [template, why] of refused) assert.throws(() => parseRouteTemplate(template, 'api'), why, template);
});

test('Azure names map deterministically to Nimbus function names', () => {
  assert.equal(nimbusFunctionName('hello-world'), 'hello_world');
  assert.equal(nimbusFunctionName('HttpTrigger1'), 'HttpTrigger1');
  assert.equal(nimbusFunctionName('9lives'), '_9lives');
  assert.equal(nimbusFunctionName('x'.repeat(127)).length, 100);
});
