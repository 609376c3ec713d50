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

test('the bundle runs when it is newer than the last tsc build, or when there is no build info (an installed package)', () => {
  for (const files of <Record<string, number>[]>[{ 'dist/cli/nimbus.mjs': 2_000, 'dist/.tsbuildinfo': 1_000 }, { 'dist/cli/nimbus.mjs': 2_000 }]) {
    const pkg = packageWith(files);
    try {
      assert.equal(cliBundleIsCurrent(pkg.root), true);
      assert.equal(cliEntry(pkg.root), new URL('dist/cli/nimbus.mjs', pkg.root).href);
    } finally {
      pkg.remove();
    }
  }
});

test('the compiled modules run when tsc compiled after the bundle was made, or when there is no bundle', () => {
  for (const files of <Record<string, number>[]>[{ 'dist/cli/nimbus.mjs': 1_000, 'dist/.tsbuildinfo': 2_000 }, { 'dist/.tsbuildinfo': 2_000 }, {}]) {
    const pkg = packageWith(files);
    try {
      assert.equal(cliBundleIsCurrent(pkg.root), false);
      assert.equal(cliEntry(pkg.root), new URL('dist/src/cli/main.js', pkg.root).href);
    } finally {
      pkg.remove();
    }
  }
});

test("packagePath finds this installation's own files from the compiled modules", () => {
  const manifest = JSON.parse(readFileSync(packagePath('package.json'), 'utf8')) as { name: string; bin: Record<string, string> };
  assert.equal(manifest.name, 'nimbus-functions');
  assert.equal(readFileSync(packagePath(manifest.bin['nimbus']!), 'utf8').startsWith('#!/usr/bin/env node'), true);
});
