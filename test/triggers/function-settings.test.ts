import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { NimbusError } from '../../src/shared/errors.js';
import { MAX_TIMER_DELAY_MS } from '../../src/shared/clock.js';
import { validateDefinition } from '../../src/triggers/definitions.js';
import {
  MAX_CONCURRENCY, MAX_CPU_SHARES, MAX_ENV_TOTAL_BYTES, MAX_ENV_VALUE_BYTES, MAX_ENV_VARIABLES, MAX_IDLE_TIMEOUT_MS, MAX_INSTANCES_CAP,
  MAX_MEMORY_MB, MAX_QUEUE_LIMIT, MAX_QUEUE_TIMEOUT_MS, MAX_TIMEOUT_MS,
} from '../../src/triggers/function-settings.js';
import { cgroupLimitsFor } from '../../src/runtime/sandbox/cgroups/limits.js';
import { MAX_BACKOFF_MS as MAX_BLOB_BACKOFF_MS } from '../../src/triggers/blob/blob-settings.js';
import { MAX_QUEUE_BACKOFF_MS, MAX_VISIBILITY_TIMEOUT_MS, MAX_BATCH_WAIT_MS } from '../../src/triggers/queue/settings.js';
import { MAX_BACKOFF_MS as MAX_TIMER_BACKOFF_MS } from '../../src/triggers/timer/timer-settings.js';

const refused = (kind: string, settings: Record<string, unknown>, field: RegExp, functionName = 'fn', app = 'shop') =>
  assert.throws(() => validateDefinition(app, functionName, kind, settings), (err: NimbusError) => {
    assert.equal(err.code, 'NIMBUS_ERR_DEPLOY_INVALID_DEFINITION', JSON.stringify(settings));
    assert.match(err.message, field, JSON.stringify(settings));
    return true;
  });

const base: Record<string, Record<string, unknown>> = {
  http: {}, queue: { queue: 'jobs' }, blob: { bucket: 'uploads' }, timer: { cron: '@hourly' },
};

test('every duration bound is far below what a Node timer can hold', () => {
  for (const max of [MAX_TIMEOUT_MS, MAX_IDLE_TIMEOUT_MS, MAX_QUEUE_TIMEOUT_MS, MAX_QUEUE_BACKOFF_MS, MAX_VISIBILITY_TIMEOUT_MS, MAX_BATCH_WAIT_MS, MAX_BLOB_BACKOFF_MS, MAX_TIMER_BACKOFF_MS]) {
    assert.ok(max <= MAX_TIMER_DELAY_MS / 10, `${max} ms`);
  }
});

test('each shared setting is accepted at its bound and refused past it, for every trigger kind, naming the field', () => {
  const bounds: [string, number, number][] = [
    ['memoryMb', MAX_MEMORY_MB, MAX_MEMORY_MB + 1],
    ['timeoutMs', MAX_TIMEOUT_MS, MAX_TIMEOUT_MS + 1],
    ['concurrency', MAX_CONCURRENCY, MAX_CONCURRENCY + 1],
    ['maxInstances', MAX_INSTANCES_CAP, MAX_INSTANCES_CAP + 1],
    ['minInstances', MAX_INSTANCES_CAP, MAX_INSTANCES_CAP + 1],
    ['idleTimeoutMs', MAX_IDLE_TIMEOUT_MS, 1e12],
    ['queueLimit', MAX_QUEUE_LIMIT, MAX_QUEUE_LIMIT + 1],
    ['queueTimeoutMs', MAX_QUEUE_TIMEOUT_MS, 1e12],
    ['cpuShares', MAX_CPU_SHARES, MAX_CPU_SHARES + 1],
  ];
  for (const kind of Object.keys(base)) {
    for (const [field, max, over] of bounds) {
      const accepted = validateDefinition('shop', 'fn', kind, { ...base[kind], [field]: max });
      assert.equal((accepted.settings as unknown as Record<string, number>)[field], max, `${kind}.${field}`);
      refused(kind, { ...base[kind], [field]: over }, new RegExp(`fn\\.${field}`));
      refused(kind, { ...base[kind], [field]: -1 }, new RegExp(`fn\\.${field}`));
      refused(kind, { ...base[kind], [field]: '5' }, new RegExp(`fn\\.${field}`));
    }
  }
});

test('cpuShares defaults to 8 per MiB of memory (128 MiB: 1024), what the sandbox gives an instance of that size', () => {
  for (const memoryMb of [64, 128, 512, 8192]) {
    const { settings } = validateDefinition('shop', 'fn', 'http', { memoryMb });
    assert.equal(settings.cpuShares, memoryMb * 8, `${memoryMb} MiB`);
    assert.equal(settings.cpuShares, cgroupLimitsFor({ memoryMb }).cpuShares, `${memoryMb} MiB: the warm sandbox's share`);
  }
  assert.equal(validateDefinition('shop', 'fn', 'http', {}).settings.cpuShares, 1024);
  assert.equal(validateDefinition('shop', 'fn', 'http', { cpuShares: 300 }).settings.cpuShares, 300);
});

test('env is bounded in count, value size and total size', () => {
  const many = Object.fromEntries(Array.from({ length: MAX_ENV_VARIABLES + 1 }, (_, i) => [`V${i}`, 'x']));
  refused('http', { env: many }, /fn\.env/);
  refused('http', { env: { BIG: 'x'.repeat(MAX_ENV_VALUE_BYTES + 1) } }, /fn\.env\.BIG/);
  const heavy = Object.fromEntries(Array.from({ length: Math.ceil(MAX_ENV_TOTAL_BYTES / MAX_ENV_VALUE_BYTES) + 1 }, (_, i) => [`V${i}`, 'x'.repeat(MAX_ENV_VALUE_BYTES)]));
  refused('http', { env: heavy }, /fn\.env/);
  refused('http', { env: { 'not-a-name': 'x' } }, /fn\.env/);
  refused('http', { env: { A: 1 } }, /fn\.env\.A/);
  refused('http', { env: [] }, /fn\.env/);
  assert.deepEqual(validateDefinition('shop', 'fn', 'http', { env: { A: 'b' } }).settings.env, { A: 'b' });
});

test('trigger settings of every kind are bounded and wrong types refused, naming the field', () => {
  refused('queue', { queue: 'jobs', visibilityTimeoutMs: 1e12 }, /fn\.visibilityTimeoutMs/);
  refused('queue', { queue: 'jobs', maxBatchWaitMs: 1e12 }, /fn\.maxBatchWaitMs/);
  refused('queue', { queue: 'jobs', backoff: { maxMs: 1e12 } }, /fn\.backoff\.maxMs/);
  refused('queue', { queue: 'jobs', backoff: [] }, /fn\.backoff/);
  refused('queue', { queue: 'jobs', batchSize: null }, /fn\.batchSize/);
  refused('queue', { queue: ['jobs'] }, /fn\.queue/);
  refused('blob', { bucket: 'uploads', backoff: { initialMs: 1e12 } }, /fn\.backoff\.initialMs/);
  refused('blob', { bucket: 'uploads', maxAttempts: 1e12 }, /fn\.maxAttempts/);
  refused('blob', { bucket: 'uploads', events: 'created' }, /fn\.events/);
  refused('timer', { cron: '@hourly', backoff: { maxMs: 1e12 } }, /fn\.backoff\.maxMs/);
  refused('timer', { cron: '@hourly', maxAttempts: 1e12 }, /fn\.maxAttempts/);
  refused('timer', { cron: 5 }, /fn\.cron/);
  refused('http', { route: 5 }, /fn\.route/);
  refused('http', { auth: 'root' }, /fn\.auth/);
});

test('what a trigger derives from the settings is checked with them, so it cannot fail once live', () => {
  // The async queue's consumer takes min(maxInstances × concurrency, its own cap): the largest settings still deliver.
  const big = validateDefinition('shop', 'fn', 'http', { maxInstances: MAX_INSTANCES_CAP, concurrency: MAX_CONCURRENCY, timeoutMs: MAX_TIMEOUT_MS, queueTimeoutMs: MAX_QUEUE_TIMEOUT_MS });
  assert.equal(big.settings.maxInstances, MAX_INSTANCES_CAP);
  validateDefinition('shop', 'fn', 'blob', { bucket: 'uploads', timeoutMs: MAX_TIMEOUT_MS, maxInstances: MAX_INSTANCES_CAP });
});

test('function names are bounded ASCII identifiers (they name routes and internal queues)', () => {
  for (const name of ['fn', 'default', '$x', '_y', 'a'.repeat(100)]) validateDefinition('a'.repeat(63), name, 'http', {});
  for (const name of ['', 'a'.repeat(101), 'café', 'a/b', 'a b', '1a', 5, null]) {
    refused('http', {}, /function names are JavaScript identifiers/, name as string);
  }
});

test('an unknown kind and settings that are not an object are refused', () => {
  refused('cron', {}, /unknown trigger kind/);
  for (const kind of Object.keys(base)) {
    refused(kind, [] as unknown as Record<string, unknown>, /fn/);
    refused(kind, 'x' as unknown as Record<string, unknown>, /fn/);
  }
});

test('strings a definition echoes in its errors are bounded first (routes, queue names, time zones)', () => {
  refused('http', { route: `GET /${'a/'.repeat(5000)}` }, /fn\.route/);
  refused('queue', { queue: 'q'.repeat(1_000_000) }, /fn\.queue/);
  refused('timer', { cron: '@hourly', timezone: 'Z'.repeat(1_000_000) }, /fn\.timezone/);
  for (const kind of ['http', 'queue', 'timer']) {
    const settings = kind === 'http' ? { route: `GET /${'a'.repeat(1_000_000)}` } : kind === 'queue' ? { queue: 'q'.repeat(1_000_000) } : { cron: '@hourly', timezone: 'Z'.repeat(1_000_000) };
    assert.throws(() => validateDefinition('shop', 'fn', kind, settings), (err: NimbusError) => err.message.length < 2_000);
  }
  refused('http', { env: { A: 'a\u0000b' } }, /fn\.env\.A: env values cannot hold a NUL/);
});
