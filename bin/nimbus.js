#!/usr/bin/env node
// The `nimbus` command: runs the compiled CLI (build first with `npx tsc -p .`).
import { main } from '../dist/src/cli/main.js';

const code = await main(process.argv.slice(2));
// Exit once both streams have flushed, even if a stray handle (a keep-alive socket) would hold the process open.
process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
