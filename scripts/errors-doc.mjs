#!/usr/bin/env node
// Regenerates docs/errors.md from the one error table (src/shared/errors.ts, compiled).
// A test checks the two agree; run `npm run build && node scripts/errors-doc.mjs` after adding a code.
import { writeFileSync } from 'node:fs';
import { ERRORS } from '../dist/src/shared/errors.js';

let doc = `# Errors

Every error Nimbus returns has a stable code. HTTP answers carry it as
\`{"error":{"code":"…","message":"…"}}\` with the status below (plus fields such as
\`field\` naming what was wrong, where there is one); the CLI prints the message on one
line and exits with code 1. Errors that pass (\`NIMBUS_ERR_STORE_UNAVAILABLE\`) also carry
\`Retry-After\` (seconds); \`NIMBUS_ERR_FUNCTION_THROTTLED\` carries it too. A
\`NIMBUS_ERR_METHOD_NOT_ALLOWED\` for a function's route or an admin API endpoint carries
\`Allow\` with the methods it serves, also as \`allow\` in the body. Storage faults
are explained in [security.md](security.md#the-data-folder-full-disks-lost-folders-permissions).

| code | HTTP status | meaning |
| --- | --- | --- |
`;
for (const [code, { status, message }] of Object.entries(ERRORS)) doc += `| \`${code}\` | ${status} | ${message} |\n`;
writeFileSync(new URL('../docs/errors.md', import.meta.url), doc);
