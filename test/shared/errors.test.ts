import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ERRORS, NimbusError } from '../../src/shared/errors.js';

test('every error code is documented in docs/errors.md and every documented code exists', () => {
  const doc = readFileSync(new URL('../../../docs/errors.md', import.meta.url), 'utf8');
  const documented = new Set(doc.match(/NIMBUS_ERR_[A-Z_]+/g) ?? []);
  for (const code of Object.keys(ERRORS)) assert.ok(documented.has(code), `${code} is missing from docs/errors.md`);
  for (const code of documented) assert.ok(code in ERRORS, `docs/errors.md lists ${code}, which the table lacks`);
});

test('a NimbusError carries its status and serialises to the JSON error body', () => {
  const err = new NimbusError('NIMBUS_ERR_DEPLOY_ROUTE_CONFLICT', 'GET /a is served by app b', { app: 'b' });
  assert.equal(err.status, 409);
  assert.deepEqual(err.toJSON(), {
    error: { code: 'NIMBUS_ERR_DEPLOY_ROUTE_CONFLICT', message: 'a route is already served by another app: GET /a is served by app b', app: 'b' },
  });
});
