import { test } from 'node:test';
import assert from 'node:assert/strict';
import { jsonEqual } from '../../src/shared/json-equal.js';

test('values parsed from JSON are equal when their content is, whatever the key order', () => {
  const equal: [unknown, unknown][] = [
    [1, 1], ['a', 'a'], [null, null], [true, true], [[], []], [{}, {}],
    [{ a: 1, b: { c: [1, 'x', null] } }, { b: { c: [1, 'x', null] }, a: 1 }],
  ];
  for (const [a, b] of equal) assert.equal(jsonEqual(JSON.parse(JSON.stringify(a)), JSON.parse(JSON.stringify(b))), true, JSON.stringify([a, b]));
  const different: [unknown, unknown][] = [
    [1, 2], [1, '1'], [null, {}], [{}, []], [[1, 2], [2, 1]], [[1], [1, 1]],
    [{ a: 1 }, { a: 1, b: 2 }], [{ a: 1, b: 2 }, { a: 1 }], [{ a: 1 }, { b: 1 }], [{ a: { b: 1 } }, { a: { b: 2 } }], [{ env: {} }, { env: { X: '1' } }],
  ];
  for (const [a, b] of different) {
    assert.equal(jsonEqual(a, b), false, JSON.stringify([a, b]));
    assert.equal(jsonEqual(b, a), false, JSON.stringify([b, a]));
  }
});
