// How both builds write JavaScript for the SDK: `npm start`'s fast build
// (build-changed.mjs) for every changed source, and `npm run build` for the SDK
// after tsc (emit-sdk.mjs). An app's bundle inlines the SDK's JavaScript and
// follows its source maps, so a deployed version's hash depends on them: were
// the SDK emitted by tsc in one build and by esbuild in the other, restarting
// after `npm pack` would deploy an unchanged app as a new version.
import { build } from 'esbuild';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

export const OUT_DIR = 'dist';
export const SDK_SOURCE_DIR = join('src', 'sdk');

/** The TypeScript sources under dir (declarations are not compiled). */
export function sources(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

/**
 * Compiles each source to dist/<path>.js with a source map beside it (types
 * stripped, not checked). `write: false` returns the files instead of writing them.
 * Relative paths are from root: the repository, where both builds run.
 */
export function compileSources(entryPoints, { write = true, root = process.cwd() } = {}) {
  return build({
    absWorkingDir: root,
    entryPoints,
    outbase: '.',
    outdir: OUT_DIR,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    sourcemap: true,
    logLevel: 'warning',
    write,
  });
}
