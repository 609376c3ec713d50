// Which `nimbus` to run: the bundled CLI, or the compiled modules where the bundle would be stale.
import { statSync } from 'node:fs';

const PACKAGE_ROOT = new URL('../', import.meta.url);

/**
 * The bundle (dist/cli/nimbus.mjs) is current unless it is missing, or, in a checkout, `tsc`
 * compiled after it was made (dist/.tsbuildinfo is newer). An installed package has no build info.
 */
export function cliBundleIsCurrent(root = PACKAGE_ROOT) {
  const modified = (path) => statSync(new URL(path, root), { throwIfNoEntry: false })?.mtimeMs;
  const bundle = modified('dist/cli/nimbus.mjs');
  const compiled = modified('dist/.tsbuildinfo');
  return bundle !== undefined && (compiled === undefined || compiled <= bundle);
}

/** The module whose `main(argv)` runs the CLI: the bundle when current, else the compiled modules (slower to load). */
export function cliEntry(root = PACKAGE_ROOT) {
  return new URL(cliBundleIsCurrent(root) ? 'dist/cli/nimbus.mjs' : 'dist/src/cli/main.js', root).href;
}
