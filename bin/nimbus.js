#!/usr/bin/env node
// The `nimbus` command: runs the bundled CLI (`npm run build` makes it; `npm start` too).
import { statSync } from 'node:fs';
import module from 'node:module';

// Node 22.1 and newer keep V8's compiled code of the bundle between runs (compiling it is ~30 ms of every
// command here); Node 20 has no such cache, and goes on without one.
module.enableCompileCache?.();
const { main } = await import(bundleIsCurrent() ? '../dist/cli/nimbus.mjs' : '../dist/src/cli/main.js');

const code = await main(process.argv.slice(2));
// Exit once both streams have flushed, even if a stray handle (a keep-alive socket) would hold the process open.
process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));

/**
 * In a checkout where `tsc` compiled after the bundle was made, the bundle is older than the code:
 * run the compiled modules (slower to load, never stale). An installed package has no build info.
 */
function bundleIsCurrent() {
  const modified = (path) => statSync(new URL(path, import.meta.url), { throwIfNoEntry: false })?.mtimeMs;
  const compiled = modified('../dist/.tsbuildinfo');
  return compiled === undefined || compiled <= (modified('../dist/cli/nimbus.mjs') ?? -Infinity);
}
