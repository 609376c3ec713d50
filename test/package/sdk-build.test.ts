/**
 * `npm start` compiles changed sources with esbuild; `npm run build` (what
 * `npm pack` runs) compiles with tsc. An app's bundle inlines the SDK's
 * JavaScript and its source maps, so if the two builds wrote the SDK
 * differently, `npm start` after `npm pack` would deploy the unchanged
 * example as a new version. Whichever build ran last, dist/ holds the SDK the
 * fast build writes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
// scripts/ is not compiled: from dist/test/package/ it is three folders up.
const { compileSources, sources, SDK_SOURCE_DIR } = (await import(new URL('../../../scripts/compile-sources.mjs', import.meta.url).href)) as typeof import('../../scripts/compile-sources.mjs');

test('dist/src/sdk holds the JavaScript and source maps the fast build writes, whichever build ran last', async () => {
  const fast = await compileSources(sources(join(ROOT, SDK_SOURCE_DIR)), { write: false, root: ROOT });
  const files = fast.outputFiles ?? [];
  assert.ok(files.some((f) => f.path.endsWith(join('sdk', 'index.js'))) && files.some((f) => f.path.endsWith(join('sdk', 'index.js.map'))));
  const differing = files.filter((f) => readFileSync(f.path, 'utf8') !== f.text).map((f) => relative(ROOT, f.path));
  assert.deepEqual(differing, [], 'SDK files written differently by `npm run build` than by `npm start`');
});
