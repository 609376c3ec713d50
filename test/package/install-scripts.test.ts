/**
 * Installing Nimbus runs no dependency's code: every dependency with an install
 * script is named in package.json's `allowScripts` (so npm 11 has nothing to
 * warn about) and denied, because none of them is needed where its binaries
 * come inside registry packages. A new dependency with a script fails here
 * until someone decides about it (docs/storage-engine.md, "Install scripts").
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

interface LockedPackage {
  version?: string;
  hasInstallScript?: boolean;
}

function readJson<T>(file: string): T {
  return JSON.parse(readFileSync(join(ROOT, file), 'utf8')) as T;
}

/** `node_modules/a/node_modules/@s/b` → `@s/b`. */
function packageName(path: string): string {
  return path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length);
}

test('every dependency with an install script is in allowScripts, and none is allowed to run', () => {
  const manifest = readJson<{ allowScripts?: Record<string, boolean> }>('package.json');
  const lock = readJson<{ packages: Record<string, LockedPackage> }>('package-lock.json');
  const decisions = manifest.allowScripts ?? {};
  const decisionFor = (name: string, version: string | undefined) => decisions[`${name}@${version}`] ?? decisions[name];

  const withScripts = Object.entries(lock.packages)
    .filter(([path, pkg]) => path !== '' && pkg.hasInstallScript)
    .map(([path, pkg]) => ({ name: packageName(path), version: pkg.version }));
  assert.ok(withScripts.length > 0, 'the lockfile marks packages with install scripts');
  for (const { name, version } of withScripts) {
    const decision = decisionFor(name, version);
    assert.notEqual(decision, undefined, `${name}@${version} has an install script that package.json's allowScripts does not cover`);
    assert.equal(decision, false, `${name}@${version} is allowed to run its install script; installing should run none`);
  }
});

test('no dependency builds SQLite or fetches a binary at install', () => {
  const lock = readJson<{ packages: Record<string, LockedPackage> }>('package-lock.json');
  const names = new Set(Object.keys(lock.packages).map(packageName));
  for (const name of ['better-sqlite3', 'prebuild-install', 'node-gyp', 'node-pre-gyp', '@mapbox/node-pre-gyp']) {
    assert.equal(names.has(name), false, `${name} is in package-lock.json`);
  }
});
