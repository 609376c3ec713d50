#!/usr/bin/env node
// Bundles the instance runtime into one file, so a sandbox needs to see only
// node, this file and the app's bundle, and boots without resolving modules.
// Next to it goes a warm-up app bundle: a booting instance loads it the way it
// will load the real one, so a cold start runs that path compiled.
import { build } from 'esbuild';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleApp } from '../dist/src/cli/bundle/bundle-app.js';
import { WARMUP_BUNDLE } from '../dist/src/runtime/instance/import-bundle.js';

await build({
  entryPoints: ['dist/src/runtime/instance/main.js'],
  outfile: 'dist/instance.mjs',
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: 'linked',
  logLevel: 'warning',
});

const app = mkdtempSync(join(tmpdir(), 'nimbus-warmup-app-'));
try {
  writeFileSync(join(app, 'index.ts'), "import { http } from 'nimbus-functions';\nexport const warmup = http({ route: 'GET /warmup' }, () => Response.json({ warm: true }));\n");
  // Our own two lines, checked by the tests: loading TypeScript here would cost `npm start` seconds.
  const { bundle, sourceMap } = await bundleApp(app, { typecheck: false });
  writeFileSync(`dist/${WARMUP_BUNDLE}`, `${bundle}\n//# sourceMappingURL=${WARMUP_BUNDLE}.map\n`);
  writeFileSync(`dist/${WARMUP_BUNDLE}.map`, sourceMap);
} finally {
  rmSync(app, { recursive: true, force: true });
}
