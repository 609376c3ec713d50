import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The folder this installation of Nimbus lives in: the nearest one above this
 * module that holds a package.json. Found by walking up rather than by a fixed
 * number of `..`, because this module runs from two places: compiled
 * (dist/src/shared/), where the tests and the type-check worker load it, and
 * inside the bundled CLI (dist/cli/), which `bin/nimbus.js` runs.
 */
function findPackageRoot(): string {
  const start = dirname(fileURLToPath(import.meta.url));
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`no package.json above ${start}`);
  }
}

let root: string | undefined;

/** A path inside this installation, e.g. `packagePath('dist', 'instance.mjs')`. */
export function packagePath(...parts: string[]): string {
  root ??= findPackageRoot();
  return join(root, ...parts);
}
