import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { NimbusError } from '../../../src/shared/errors.js';
import { DEFAULT_BACKOFF, DEFAULT_MAX_ATTEMPTS } from '../../../src/triggers/retry-policy.js';
import { resolveQueueSettings } from '../../../src/triggers/queue/settings.js';

test('queue trigger settings default as documented', () => {
  assert.deepEqual(resolveQueueSettings({ queue: 'orders', memoryMb: 256 }), {
    queue: 'orders',
    batchSize: 10,
    maxBatchWaitMs: 50,
    maxConcurrency: 4,
    maxAttempts: DEFAULT_MAX_ATTEMPTS,
    backoff: DEFAULT_BACKOFF,
    visibilityTimeoutMs: 30_000,
    deadLetterQueue: 'orders.dlq',
  });
  assert.deepEqual(resolveQueueSettings({ queue: 'orders', backoff: { initialMs: 5 }, deadLetterQueue: 'graveyard' }).backoff, { initialMs: 5, maxMs: 60_000 });
});

test('settings that cannot work are refused at deploy, naming the field', () => {
  const cases: [Record<string, unknown>, string][] = [
    [{}, 'queue'],
    [{ queue: 'Orders' }, 'queue'],
    [{ queue: '_async.a.b' }, 'queue'],
    [{ queue: 'q', batchSize: 0 }, 'batchSize'],
    [{ queue: 'q', maxConcurrency: 1.5 }, 'maxConcurrency'],
    [{ queue: 'q', maxAttempts: 0 }, 'maxAttempts'],
    [{ queue: 'q', backoff: { initialMs: -1 } }, 'backoff.initialMs'],
    [{ queue: 'q', visibilityTimeoutMs: 10 }, 'visibilityTimeoutMs'],
    [{ queue: 'q', deadLetterQueue: 'q' }, 'deadLetterQueue'],
    [{ queue: 'q', deadLetterQueue: 'Bad' }, 'deadLetterQueue'],
  ];
  for (const [settings, field] of cases) {
    assert.throws(() => resolveQueueSettings(settings), (err: NimbusError) => {
      assert.equal(err.code, 'NIMBUS_ERR_DEPLOY_INVALID_DEFINITION');
      assert.equal(err.details?.field, field, JSON.stringify(settings));
      return true;
    });
  }
  assert.equal(resolveQueueSettings({ queue: '_async.a.b' }, { internal: true }).deadLetterQueue, '_async.a.b.dlq');
});
