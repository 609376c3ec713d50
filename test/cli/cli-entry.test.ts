import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { packagePath } from '../../src/shared/package-root.js';

// bin/ is not compiled: from dist/test/cli/ it is three folders up.
const { cliBundleIsCurrent, cliEntry } = (await import(new URL('../../../bin/cli-entry.js', import.meta.url).href)) as typeof import('../../bin/cli-entry.js');

/** A package folder with the given files, each last modified at its second. */
function packageWith(files: Record<string, number>): { root: URL; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'nimbus-cli-entry-'));
  for (const [path, second] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), '');
    utimesSync(join(dir, path), second, second);
  }
  return { root: pathToFileURL(`${dir}/`), remove: () => rmSync(dir, { recursive: true, force: true }) };
}

const CASES: { files: Record<string, number>; runs: 'bundle' | 'compiled modules'; why: string }[] = [
  { files: { 'dist/cli/nimbus.mjs': 2_000, 'dist/.tsbuildinfo': 1_000 }, runs: 'bundle', why: 'made after the last tsc build' },
  { files: { 'dist/cli/nimbus.mjs': 2_000 }, runs: 'bundle', why: 'no build info: an installed package' },
  { files: { 'dist/cli/nimbus.mjs': 1_000, 'dist/.tsbuildinfo': 2_000 }, runs: 'compiled modules', why: 'tsc compiled after the bundle was made' },
  { files: { 'dist/.tsbuildinfo': 2_000 }, runs: 'compiled modules', why: 'no bundle' },
  { files: {}, runs: 'compiled modules', why: 'nothing built: the import names what is missing' },
];

for (const { files, runs, why } of CASES) {
  test(`the ${runs} run when ${why}`, () => {
    const pkg = packageWith(files);
    try {
      assert.equal(cliBundleIsCurrent(pkg.root), runs === 'bundle');
      assert.equal(cliEntry(pkg.root), new URL(runs === 'bundle' ? 'dist/cli/nimbus.mjs' : 'dist/src/cli/main.js', pkg.root).href);
    } finally {
      pkg.remove();
    }
  });
}

test("packagePath finds this installation's own files from the compiled modules", () => {
  const manifest = JSON.parse(readFileSync(packagePath('package.json'), 'utf8')) as { name: string; bin: Record<string, string> };
  assert.equal(manifest.name, 'nimbus-functions');
  assert.equal(readFileSync(packagePath(manifest.bin['nimbus']!), 'utf8').startsWith('#!/usr/bin/env node'), true);
});
