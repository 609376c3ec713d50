import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NimbusError } from '../../../src/shared/errors.js';
import { validateBlobSettings } from '../../../src/triggers/blob/blob-settings.js';

function refusedField(settings: unknown): unknown {
  try {
    validateBlobSettings(settings);
  } catch (err) {
    assert.ok(err instanceof NimbusError);
    assert.equal(err.code, 'NIMBUS_ERR_DEPLOY_INVALID_DEFINITION');
    assert.ok(err.message.includes(String(err.details?.field)), err.message);
    return err.details?.field;
  }
  return assert.fail('expected the settings to be refused');
}

test('defaults: every key, created and updated events, the platform retry model', () => {
  const resolved = validateBlobSettings({ bucket: 'uploads', memoryMb: 256 });
  assert.equal(resolved.bucket, 'uploads');
  assert.equal(resolved.path, '');
  assert.deepEqual(resolved.pattern.match('any/key/at/all'), {});
  assert.deepEqual(resolved.events, ['created', 'updated']);
  assert.equal(resolved.maxAttempts, 5);
  assert.deepEqual(resolved.backoff, { initialMs: 1000, maxMs: 60000 });
});

test('path, events, attempts and backoff are taken as given', () => {
  const resolved = validateBlobSettings({ bucket: 'uploads', path: 'in/{name}.csv', events: ['deleted', 'deleted'], maxAttempts: 2, backoff: { initialMs: 10 } });
  assert.deepEqual(resolved.pattern.match('in/jan.csv'), { name: 'jan' });
  assert.deepEqual(resolved.events, ['deleted']);
  assert.equal(resolved.maxAttempts, 2);
  assert.deepEqual(resolved.backoff, { initialMs: 10, maxMs: 60000 });
});

test('each invalid setting is refused naming its field', () => {
  assert.equal(refusedField(null), 'settings');
  assert.equal(refusedField({}), 'bucket');
  assert.equal(refusedField({ bucket: 'Not_A_Bucket' }), 'bucket');
  assert.equal(refusedField({ bucket: 'ok-bucket', path: 42 }), 'path');
  assert.equal(refusedField({ bucket: 'ok-bucket', path: 'a/{x' }), 'path');
  assert.equal(refusedField({ bucket: 'ok-bucket', events: [] }), 'events');
  assert.equal(refusedField({ bucket: 'ok-bucket', events: ['created', 'renamed'] }), 'events');
  assert.equal(refusedField({ bucket: 'ok-bucket', events: 'created' }), 'events');
  assert.equal(refusedField({ bucket: 'ok-bucket', maxAttempts: 0 }), 'maxAttempts');
  assert.equal(refusedField({ bucket: 'ok-bucket', backoff: { initialMs: -1 } }), 'backoff.initialMs');
  assert.equal(refusedField({ bucket: 'ok-bucket', backoff: { initialMs: 100, maxMs: 10 } }), 'backoff.maxMs');
});
