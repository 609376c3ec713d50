#!/usr/bin/env node
// The `nimbus` command: runs the bundled CLI (`npm run build` makes it; `npm start` too).
import { main } from '../dist/cli/nimbus.mjs';

const code = await main(process.argv.slice(2));
// Exit once both streams have flushed, even if a stray handle (a keep-alive socket) would hold the process open.
process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
