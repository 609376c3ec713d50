#!/usr/bin/env node
// Bundles the instance runtime into one file, so a sandbox needs to see only
// node, this file and the app's bundle, and boots without resolving modules.
import { build } from 'esbuild';

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
