#!/usr/bin/env node
// What `npm start` builds: the sources in src/ whose compiled file is missing or
// older than they are, compiled with esbuild (a fraction of a second for all
// of them, where tsc takes half a minute on a fresh clone), then the instance
// and CLI bundles if anything changed. Nothing changed: nothing is done.
//
// esbuild only strips types: `npm run build` (tsc) is still what checks them,
// and what writes the declarations the published package carries; its SDK
// JavaScript is written the same way as here (compile-sources.mjs). An app's
// type check reads the SDK's sources while they are newer than their
// declarations (src/cli/bundle/sdk-location.ts).
import { existsSync, statSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { cliBundleIsCurrent } from '../bin/cli-entry.js';
import { compileSources, OUT_DIR, sources } from './compile-sources.mjs';

const SOURCE_DIR = 'src';
const INSTANCE_BUNDLE = join(OUT_DIR, 'instance.mjs');

function mtime(path) {
  return existsSync(path) ? statSync(path).mtimeMs : -1;
}

const started = performance.now();
const stale = sources(SOURCE_DIR).filter((file) => mtime(join(OUT_DIR, file.replace(/\.ts$/, '.js'))) < mtime(file));
if (stale.length > 0) await compileSources(stale);
// The CLI bundle is also stale when `tsc` compiled after it was made (then bin/nimbus.js runs the slower modules).
for (const [script, current] of [['scripts/bundle-instance.mjs', existsSync(INSTANCE_BUNDLE)], ['scripts/bundle-cli.mjs', cliBundleIsCurrent()]]) {
  if (stale.length === 0 && current) continue;
  const bundled = spawnSync(process.execPath, [script], { stdio: 'inherit' });
  if (bundled.status !== 0) process.exit(bundled.status ?? 1);
}
const ms = Math.round(performance.now() - started);
console.log(stale.length > 0 ? `Compiled ${stale.length} changed source files in ${ms} ms` : 'Nothing to compile');
