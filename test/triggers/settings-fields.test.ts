import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NimbusError } from '../../src/shared/errors.js';
import { refuseUnknownSettings, type SettingsFields } from '../../src/triggers/settings-fields.js';

const QUEUE: SettingsFields = { kind: 'queue', names: ['queue', 'maxAttempts', 'backoff', 'network'], nested: { backoff: ['initialMs', 'maxMs'], network: ['allow'] } };

function refusal(raw: unknown): NimbusError {
  try {
    refuseUnknownSettings('consume', raw, QUEUE);
  } catch (err) {
    assert.ok(err instanceof NimbusError);
    return err;
  }
  return assert.fail(`expected ${JSON.stringify(raw)} to be refused`);
}

test('known fields pass, nested ones too; a nested field that is no object is left to the kind\'s own validator', () => {
  refuseUnknownSettings('consume', { queue: 'q', maxAttempts: 2, backoff: { initialMs: 1 }, network: { allow: [] } }, QUEUE);
  refuseUnknownSettings('consume', { queue: 'q', backoff: 5, network: 'none' }, QUEUE);
  refuseUnknownSettings('consume', 'not an object', QUEUE);
});

test('names the sandbox gave are echoed on one line, bounded, and at most five of them', () => {
  const many = refusal({ queue: 'q', a1: 1, a2: 1, a3: 1, a4: 1, a5: 1, a6: 1, a7: 1 });
  assert.match(many.message, /consume\.a5: unknown queue setting; and 2 more unknown fields$/);
  assert.doesNotMatch(many.message, /a6/);
  const odd = refusal({ 'two\nlines': 1 });
  assert.match(odd.message, /consume\."two\\nlines": unknown queue setting$/);
  assert.doesNotMatch(odd.message, /\n/);
  const long = refusal({ ['x'.repeat(100_000)]: 1 });
  assert.ok(long.message.length < 200, long.message);
  assert.equal(long.details?.field, `"${'x'.repeat(60)}"…`);
});
