#!/usr/bin/env node
// Bundles the web console (console/) into dist/console: index.html, app.js,
// app.css (with uPlot's styles) and a precompressed .gz copy of each, which
// every node serves at /_nimbus/console/ (src/gateway/console-assets.ts).
//
// The console's API client takes each admin route's method and path from a
// manifest made here from the compiled route declarations; their zod schemas
// stay on the server (importing zod from console code fails the build).
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync, constants } from 'node:zlib';
import { adminRoutes } from '../dist/src/gateway/admin-routes/index.js';

const OUT = 'dist/console';
const MANIFEST_MODULE = 'nimbus:admin-routes';

const manifest = Object.fromEntries(Object.entries(adminRoutes).map(([area, routes]) => [
  area,
  Object.fromEntries(Object.entries(routes).map(([name, route]) => [name, { method: route.method, path: route.path }])),
]));

/** `import manifest from 'nimbus:admin-routes'`: the routes' methods and paths, as data. */
const routeManifest = {
  name: 'admin-route-manifest',
  setup(b) {
    b.onResolve({ filter: /^nimbus:admin-routes$/ }, () => ({ path: MANIFEST_MODULE, namespace: 'nimbus' }));
    b.onLoad({ filter: /.*/, namespace: 'nimbus' }, () => ({ contents: `export default ${JSON.stringify(manifest)};`, loader: 'js' }));
  },
};

/** Server code reaching the browser bundle is a mistake the build reports (a value import of a route declaration would pull zod in). */
const serverCodeStaysOut = {
  name: 'server-code-stays-out',
  setup(b) {
    b.onResolve({ filter: /^(zod|node:.*|pino|pg)$/ }, (args) => ({
      errors: [{ text: `${args.path} is server code: import route declarations with \`import type\` (${args.importer})` }],
    }));
  },
};

rmSync(OUT, { recursive: true, force: true });
mkdirSync(OUT, { recursive: true });
await build({
  entryPoints: { app: 'console/src/main.tsx' },
  outdir: OUT,
  bundle: true,
  minify: true,
  format: 'esm',
  target: ['chrome111', 'firefox115', 'safari16.4'],
  jsx: 'automatic',
  jsxImportSource: 'preact',
  legalComments: 'none',
  plugins: [routeManifest, serverCodeStaysOut],
  logLevel: 'warning',
});
copyFileSync('console/index.html', join(OUT, 'index.html'));
for (const name of readdirSync(OUT)) {
  const bytes = readFileSync(join(OUT, name));
  writeFileSync(join(OUT, `${name}.gz`), gzipSync(bytes, { level: constants.Z_BEST_COMPRESSION }));
}
