#!/usr/bin/env node
// Bundles the `nimbus` command into a few files. Loading the compiled sources
// one module at a time (some 250 for `nimbus --help`, ~600 for `nimbus start`)
// took most of every command's start; one parse of a bundle takes a fraction.
// Code only some commands need (the node, PostgreSQL, S3, store migration)
// stays in chunks of its own, loaded when a command asks for it.
//
// Left out, and loaded from node_modules as before: packages with native
// parts (esbuild, the SQLite binding), those loaded only by some commands and
// large (TypeScript, pg, the AWS SDK), and pino, whose transports load files
// by path.
import { build } from 'esbuild';
import { rmSync } from 'node:fs';
import { REQUIRE_BANNER } from '../dist/src/cli/bundle/bundle-app.js';

const CLI_BUNDLE_DIR = 'dist/cli';

rmSync(CLI_BUNDLE_DIR, { recursive: true, force: true });
await build({
  entryPoints: { nimbus: 'dist/src/cli/main.js' },
  outdir: CLI_BUNDLE_DIR,
  outExtension: { '.js': '.mjs' },
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // Prefer packages' ES modules: a UMD build (jsonc-parser's) requires its own files by relative path.
  mainFields: ['module', 'main'],
  external: ['esbuild', '@photostructure/sqlite', 'typescript', 'pg', 'pg-*', '@aws-sdk/*', '@smithy/*', 'pino'],
  // CommonJS packages inside the bundle still call `require` for Node's built-ins, as in an app's bundle.
  banner: { js: REQUIRE_BANNER },
  sourcemap: 'linked',
  logLevel: 'warning',
});
