import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatStep, stepProgress } from '../../../src/cli/output/step-progress.js';

test('a finished step reads as name, time and detail in aligned columns', () => {
  assert.equal(formatStep('bundle', 41.6, '674 B'), 'bundle        42 ms  674 B');
  assert.equal(formatStep('type check', 12_345), 'type check   12.3 s');
});

test('in a pipe or a CI log, only finished steps print, one plain line each', () => {
  const out: string[] = [];
  const raw: string[] = [];
  const steps = stepProgress((l) => out.push(l), (c) => raw.push(c), false);
  steps.start('bundle');
  steps.done('bundle', 40);
  steps.start('upload');
  steps.end();
  assert.deepEqual(out, ['  bundle        40 ms']);
  assert.deepEqual(raw, [], 'no spinner, no control characters');
});

test('on a terminal, running steps show on one redrawn line, each replaced by a ✓ line when done', () => {
  const raw: string[] = [];
  const steps = stepProgress(() => {}, (c) => raw.push(c), true);
  steps.start('type check');
  steps.start('bundle');
  steps.done('bundle', 40);
  steps.done('type check', 900);
  steps.end();
  const screen = raw.join('');
  assert.match(screen, /type check…/);
  assert.match(screen, /type check \+ bundle…/);
  assert.match(screen, /✓ bundle {8}40 ms\n/);
  assert.match(screen, /✓ type check {3}900 ms\n/);
  assert.ok(screen.endsWith('\r\x1b[K'), 'the spinner line is cleared at the end');
});
