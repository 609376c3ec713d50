import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeManifests, encodeManifests, readManifests } from '../../src/store/stored-manifests.js';
import type { FunctionManifest } from '../../src/store/store.js';
import type { ResolvedSettings } from '../../src/sdk/settings.js';

const DEFAULT_SETTINGS: ResolvedSettings = {
  memoryMb: 128, timeoutMs: 30_000, concurrency: 8, minInstances: 0, maxInstances: 10, idleTimeoutMs: 300_000,
  queueLimit: 100, queueTimeoutMs: 10_000, env: {}, network: 'outbound', cpuShares: 1024,
};
const http: FunctionManifest = { name: 'checkout', kind: 'http', settings: { ...DEFAULT_SETTINGS }, trigger: { route: 'POST /checkout' } };

test('the compact form keeps each distinct settings object once and reads back every manifest as written', () => {
  const functions: FunctionManifest[] = [
    http,
    { ...http, name: 'cart', settings: { ...DEFAULT_SETTINGS } },
    { ...http, name: 'nightly', kind: 'timer', settings: { ...DEFAULT_SETTINGS, memoryMb: 512 }, trigger: { cron: '0 3 * * *' } },
  ];
  const text = encodeManifests(functions);
  const stored = JSON.parse(text) as { v: number; settings: unknown[]; functions: unknown[] };
  assert.equal(stored.v, 1);
  assert.equal(stored.settings.length, 2);
  assert.ok(text.length < JSON.stringify(functions).length, 'smaller than the plain array');
  const read = decodeManifests(text);
  assert.deepEqual(read, functions);
  assert.equal(read[0]!.settings, read[1]!.settings);
  assert.ok(Object.isFrozen(read[0]!.settings) && Object.isFrozen(read[0]!.settings.env), 'shared, so frozen through');
  assert.deepEqual(decodeManifests(encodeManifests([])), []);
});

test('a form this node does not know is refused with a message that names it', () => {
  assert.throws(() => decodeManifests('{"v":2,"settings":[],"functions":[]}'), /does not know \(form 2\)/);
  assert.throws(() => decodeManifests('[]'), /does not know \(no form number\)/);
  assert.throws(() => decodeManifests('null'), /does not know \(null\)/);
  assert.throws(() => decodeManifests('"x"'), /does not know \(string\)/);
  assert.throws(
    () => decodeManifests('{"v":1,"settings":[],"functions":[["a","http",0,{}]]}'),
    /function a names settings 0, which are not stored/,
  );
  assert.throws(() => decodeManifests('{"v":1,"settings":[{}],"functions":[{"name":"a"}]}'), /entry 0 is not \[name, kind, settings index, trigger\]/);
  assert.throws(() => decodeManifests('{"v":1,"settings":[{}],"functions":[["a","http","0",{}]]}'), /entry 0 is not/);
});

test('a version without the compact form reads from the plain array; one with neither is refused', () => {
  const plain = JSON.stringify([http]);
  assert.deepEqual(readManifests({ manifests: null, functions: plain }), [http]);
  assert.deepEqual(readManifests({ manifests: encodeManifests([http]), functions: null }), [http]);
  assert.throws(() => readManifests({ manifests: null, functions: null }), /no function manifests/);
});
