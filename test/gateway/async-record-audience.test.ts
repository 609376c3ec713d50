import { test } from 'node:test';
import assert from 'node:assert/strict';
import { asyncRecordFor } from '../../src/gateway/failure-audience.js';
import type { InvocationRecord } from '../../src/sdk/client/types.js';

const ID = '0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b';
const record = (error: string | null, status: number | null): InvocationRecord => ({
  invocationId: ID, app: 'shop', functionName: 'report', state: 'queued', attempts: 2, status, headers: null, bodyBase64: null,
  error, createdAt: 1, updatedAt: 2, startedAt: 1, finishedAt: null, expiresAt: 3,
});
const withheld = `the invocation failed: its logs have the details under invocation ${ID}`;
const functionKey = { kind: 'function', app: 'shop' } as const;

test("a function key reads a thrown failure's record without its message; the admin key and the admin and read scopes read it whole", () => {
  const thrown = record('connect postgres://app:s3cret@db failed', null);
  assert.equal(asyncRecordFor(functionKey, thrown).error, withheld);
  assert.equal(asyncRecordFor(undefined, thrown).error, withheld, 'no key at all sees no more than a function key');
  for (const kind of ['admin', 'read'] as const) assert.equal(asyncRecordFor({ kind }, thrown), thrown);
});

test("a 5xx the function answered keeps Nimbus's line about it; a throw after such an answer does not pass for one", () => {
  const answered = record('the function answered with status 503', 503);
  assert.equal(asyncRecordFor(functionKey, answered), answered);
  // The status stays from attempt 1 (a 503) when attempt 2 threw.
  assert.equal(asyncRecordFor(functionKey, record('TypeError: s3cret is not a function', 503)).error, withheld);
  const succeeded = record(null, 200);
  assert.equal(asyncRecordFor(functionKey, succeeded), succeeded);
});
