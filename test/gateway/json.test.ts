import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseClientJson } from '../../src/gateway/json.js';
import type { NimbusError } from '../../src/shared/errors.js';

const limits = { maxBytes: 1024, maxDepth: 8 };
const refused = (input: string | Buffer, code: string, message: RegExp) =>
  assert.throws(() => parseClientJson(input, limits), (err: NimbusError) => {
    assert.equal(err.code, code);
    assert.match(err.message, message);
    assert.equal(err.details?.field, 'body');
    return true;
  });

test('a client body within the limits parses', () => {
  assert.deepEqual(parseClientJson(Buffer.from('{"a":[1,{"b":"é"}]}'), limits), { a: [1, { b: 'é' }] });
});

test('too deep is a 400 naming the depth, too large a 413, not JSON or not UTF-8 a 400', () => {
  refused('['.repeat(100_000), 'NIMBUS_ERR_BODY_TOO_LARGE', /body is 100000 bytes, limit 1024/);
  refused('['.repeat(9) + ']'.repeat(9), 'NIMBUS_ERR_BODY_INVALID', /body is nested deeper than 8 levels/);
  refused('{"a":', 'NIMBUS_ERR_BODY_INVALID', /body is not valid JSON/);
  refused(Buffer.from([0x22, 0xff, 0x22]), 'NIMBUS_ERR_BODY_INVALID', /body is not valid UTF-8/);
});
