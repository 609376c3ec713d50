import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SharedFunctionSettings } from '../../src/server/shared-function-settings.js';
import type { FunctionManifest } from '../../src/store/store.js';

function fn(name: string, settings: Record<string, unknown>): FunctionManifest {
  return { name, kind: 'http', settings: JSON.parse(JSON.stringify(settings)) as FunctionManifest['settings'], trigger: {} };
}

test('functions with equal settings share one settings object; different settings stay their own', () => {
  const defaults = { memoryMb: 128, timeoutMs: 30_000, env: {} };
  const bigger = { memoryMb: 512, timeoutMs: 30_000, env: {} };
  const withEnv = { memoryMb: 128, timeoutMs: 30_000, env: { MODE: 'x' } };
  const app1 = [fn('a', defaults), fn('b', defaults), fn('c', bigger), fn('d', defaults), fn('e', withEnv)];
  const app2 = [fn('a', defaults), fn('b', bigger)];
  const sharing = new SharedFunctionSettings();
  sharing.share(app1);
  sharing.share(app2);
  const [a, b, c, d, e] = app1.map((f) => f.settings);
  assert.equal(a, b);
  assert.equal(a, d, 'shared again after other settings in between');
  assert.notEqual(a, c);
  assert.notEqual(a, e, 'an env of its own keeps its own settings');
  assert.equal(app2[0]!.settings, a, 'across versions too');
  assert.equal(app2[1]!.settings, c);
  assert.deepEqual(e, withEnv, 'content unchanged');
  assert.deepEqual(c, bigger);
});

test('a version read already sharing its settings (the compact form) ends up holding the objects met before, in every function', () => {
  const sharing = new SharedFunctionSettings();
  const first = [fn('a', { memoryMb: 128, env: {} })];
  sharing.share(first);
  // As decodeManifests gives them: one object for the run of equal settings, another after it, then the first again.
  const sameAsFirst = fn('x', { memoryMb: 128, env: {} }).settings;
  const other = fn('y', { memoryMb: 256, env: {} }).settings;
  const second: FunctionManifest[] = ['b', 'c', 'd', 'e', 'f'].map((name, i) => ({ name, kind: 'http', settings: i === 3 ? other : sameAsFirst, trigger: {} }));
  sharing.share(second);
  const shared = first[0]!.settings;
  assert.deepEqual(second.map((f) => f.settings === shared), [true, true, true, false, true]);
  assert.deepEqual(second[3]!.settings, { memoryMb: 256, env: {} });
});
