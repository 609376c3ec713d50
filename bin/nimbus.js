#!/usr/bin/env node
// The `nimbus` command: runs the bundled CLI (`npm run build` makes it; `npm start` too).
import module from 'node:module';
import { cliEntry } from './cli-entry.js';

// Node 22.1 and newer keep V8's compiled code of the bundle between runs (compiling it is ~30 ms of every
// command here); Node 20 has no such cache, and goes on without one.
module.enableCompileCache?.();
const { main } = await import(cliEntry());

const code = await main(process.argv.slice(2));
// Exit once both streams have flushed, even if a stray handle (a keep-alive socket) would hold the process open.
process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
