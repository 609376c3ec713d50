import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileBlobPathPattern, PathPatternError } from '../../../src/triggers/blob/path-pattern.js';

test('{name} captures one segment; literal text must match exactly', () => {
  const p = compileBlobPathPattern('images/{name}.{ext}');
  assert.deepEqual(p.match('images/cat.jpg'), { name: 'cat', ext: 'jpg' });
  assert.deepEqual(p.match('images/cat.tar.gz'), { name: 'cat.tar', ext: 'gz' }, 'captures are greedy: ext is after the last dot');
  assert.equal(p.match('images/sub/cat.jpg'), null, 'a {name} never spans "/"');
  assert.equal(p.match('images/cat'), null);
  assert.equal(p.match('images/.jpg'), null, 'a capture holds at least one character');
  assert.equal(p.match('xmages/cat.jpg'), null);
  assert.equal(p.match('images/cat.jpg.bak/x'), null, 'the whole key must match');
});

test('regex characters in literal text are literal', () => {
  const p = compileBlobPathPattern('a+b/(x)|[y].$^*?/{n}');
  assert.deepEqual(p.match('a+b/(x)|[y].$^*?/z'), { n: 'z' });
  assert.equal(p.match('aab/(x)|[y].$^*?/z'), null);
  const dot = compileBlobPathPattern('{n}.txt');
  assert.equal(dot.match('aXtxt'), null, '"." is not a wildcard');
});

test('{name**} captures across segments', () => {
  const p = compileBlobPathPattern('uploads/{user}/{rest**}');
  assert.deepEqual(p.match('uploads/ann/2024/05/a.png'), { user: 'ann', rest: '2024/05/a.png' });
  assert.equal(p.match('uploads/ann/'), null);
  const suffix = compileBlobPathPattern('{path**}.csv');
  assert.deepEqual(suffix.match('a/b/c.csv'), { path: 'a/b/c' });
});

test('captures hold any Unicode a key may hold', () => {
  const p = compileBlobPathPattern('photos/{name}.jpg');
  assert.deepEqual(p.match('photos/café 😀.jpg'), { name: 'café 😀' });
});

test('invalid patterns are refused with the reason', () => {
  const bad: [string, RegExp][] = [
    ['', /non-empty/],
    ['/abs/{x}', /must not start with "\/"/],
    ['a/{x', /unclosed/],
    ['a/x}', /unmatched/],
    ['{a}{b}', /separated by literal text/],
    ['{1x}', /must be a name/],
    ['{}', /must be a name/],
    ['{a}/{a}', /appears twice/],
  ];
  for (const [pattern, why] of bad) {
    assert.throws(() => compileBlobPathPattern(pattern), (err: unknown) => err instanceof PathPatternError && why.test(err.message), pattern);
  }
});
