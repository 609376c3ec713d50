import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closest, didYouMean, editDistance } from '../../src/shared/suggest.js';

test('the closest name within one edit in three letters, a swap of neighbours counting as one', () => {
  assert.equal(editDistance('dpeloy', 'deploy'), 1);
  assert.equal(closest('dpeloy', ['delete', 'deploy', 'dev']), 'deploy');
  assert.equal(closest('Deploy', ['deploy']), 'deploy', 'letter case ignored');
  assert.equal(closest('xyz', ['deploy', 'dev']), undefined, 'nothing close');
  assert.equal(didYouMean('ecko', ['echo', 'worker']), '; did you mean "echo"?');
  assert.equal(didYouMean('pth', ['path'], { maxDistance: 2 }), '; did you mean "path"?');
});

test('the nearest of several close names wins, whatever their order', () => {
  assert.equal(closest('orderz', ['ordersx', 'orders']), 'orders');
  assert.equal(closest('orderz', ['orders', 'ordersx']), 'orders');
});

test('a word far longer than every name finds none; a long word still finds its near twin', () => {
  assert.equal(closest('a'.repeat(20_000), Array.from({ length: 1_000 }, (_, i) => `app${i}`)), undefined);
  assert.equal(closest(`${'a'.repeat(30)}b`, ['a'.repeat(30), 'a'.repeat(40)]), 'a'.repeat(30));
});
