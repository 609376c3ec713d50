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
\`Retry-After\` (seconds); \`NIMBUS_ERR_FUNCTION_THROTTLED\` and \`NIMBUS_ERR_BUDGET_EXHAUSTED\` (which names the
budget in \`budget\`) carry it too. A
\`NIMBUS_ERR_METHOD_NOT_ALLOWED\` for a function's route or an admin API endpoint carries
\`Allow\` with the methods it serves, also as \`allow\` in the body. Storage faults
are explained in [security.md](security.md#the-data-folder-full-disks-lost-folders-permissions).

A function that failed (\`NIMBUS_ERR_FUNCTION_ERROR\`, \`_TIMEOUT\`, \`_OUT_OF_MEMORY\`,
\`_CRASHED\`, \`_PROTOCOL\`) is answered with the kind of failure and the invocation id
(also in \`x-nimbus-invocation-id\`), never with the function's own message or stack:
\`{"error":{"code":"NIMBUS_ERR_FUNCTION_ERROR","message":"the function threw an error: its logs have the details under invocation 0193…","invocationId":"0193…"}}\`.
Exception messages carry SQL, file paths and connection strings, and a route's caller
may be anyone. The message and stack are in the function's logs (\`nimbus logs APP
--invocation ID\`) and its invocation record. A caller that sends the admin key (or an
admin-scoped key) gets the message in the answer, \`the function threw an error: <message>\`,
on any path (\`nimbus invoke\`, \`/fn/APP/FUNCTION\`, the route, the admin invoke endpoint),
and so does every caller of \`nimbus dev\`. See
[security.md](security.md#what-the-caller-of-a-failed-function-sees).

| code | HTTP status | meaning |
| --- | --- | --- |
`;
for (const [code, { status, message }] of Object.entries(ERRORS)) doc += `| \`${code}\` | ${status} | ${message} |\n`;
writeFileSync(new URL('../docs/errors.md', import.meta.url), doc);
