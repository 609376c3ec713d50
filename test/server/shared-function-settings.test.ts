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
