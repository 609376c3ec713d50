import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NimbusError } from '../../../src/shared/errors.js';
import { DEFAULT_BACKOFF, DEFAULT_MAX_ATTEMPTS } from '../../../src/triggers/retry-policy.js';
import { checkStoredTimerSettings, validateTimerSettings } from '../../../src/triggers/timer/timer-settings.js';

function refusedField(settings: unknown): string {
  try {
    validateTimerSettings(settings);
  } catch (err) {
    assert.ok(err instanceof NimbusError);
    assert.equal(err.code, 'NIMBUS_ERR_DEPLOY_INVALID_DEFINITION');
    assert.equal(err.status, 400);
    const field = String(err.details?.field);
    assert.match(err.message, new RegExp(`: ${field.replace('.', '\\.')}: `), 'the message names the field too');
    return field;
  }
  assert.fail(`expected ${JSON.stringify(settings)} to be refused`);
}

test('defaults: UTC, catch up once, skip overlapping runs, the platform retry policy', () => {
  assert.deepEqual(validateTimerSettings({ cron: '*/5 * * * *' }), {
    cron: '*/5 * * * *',
    timezone: 'UTC',
    catchUp: 'once',
    overlap: 'skip',
    runOnStartup: false,
    maxAttempts: DEFAULT_MAX_ATTEMPTS,
    backoff: DEFAULT_BACKOFF,
  });
});

test('every setting can be given; function settings alongside are left to their own validator', () => {
  const resolved = validateTimerSettings({
    cron: '  0  30 2 * * *',
    timezone: 'Europe/Berlin',
    catchUp: 'all',
    overlap: 'queue',
    runOnStartup: true,
    maxAttempts: 2,
    backoff: { initialMs: 10, maxMs: 20 },
    memoryMb: 256,
  });
  assert.deepEqual(resolved, {
    cron: '0 30 2 * * *',
    timezone: 'Europe/Berlin',
    catchUp: 'all',
    overlap: 'queue',
    runOnStartup: true,
    maxAttempts: 2,
    backoff: { initialMs: 10, maxMs: 20 },
  });
});

test('a bad cron expression is refused naming the cron field', () => {
  for (const cron of ['61 * * * *', '* * * *', '0 0 1 1 * 2027 9', '@reboot', '@fortnightly', 'every minute', '', 42]) {
    assert.equal(refusedField({ cron }), 'cron', JSON.stringify(cron));
  }
  assert.equal(refusedField({}), 'cron');
});

test('a refused cron is explained in Nimbus\'s words, naming the field at fault and what it takes', () => {
  const says = (cron: string): string => {
    try {
      validateTimerSettings({ cron });
    } catch (err) {
      return (err as Error).message.replace(/^[^:]*: cron: /, '');
    }
    return assert.fail(`expected ${cron} to be refused`);
  };
  assert.equal(says('*/0 * * * *'), '"*/0 * * * *": minute "*/0" is not valid: use 0-59, a range (1-5), a list (1,15,30) or a step (*/15)');
  assert.equal(says('0 9 * * MONDAY'), '"0 9 * * MONDAY": day-of-week "MONDAY" is not valid: use 0-7 or SUN-SAT, a range (1-5), a list (1,15,30) or a step (*/15)');
  assert.equal(says('60 * * * * *'), '"60 * * * * *": second "60" is out of range: use 0-59, a range (1-5), a list (1,15,30) or a step (*/15)', 'six fields: seconds first');
  assert.equal(says('@reboot'), '"@reboot" is not supported: a timer runs on a schedule; add runOnStartup: true to also run it when a node starts');
  assert.match(says('@fortnightly'), /^"@fortnightly" is not a shortcut Nimbus knows: use @yearly, .*@hourly, or 5 fields/);
  assert.match(says('* * * *'), /^"\* \* \* \*" is not a cron pattern: use 5 fields/);
  for (const cron of ['every minute', '0 0 1 1 * 2027 9', '0 0 12 * * MON 2027', '61 * * * *', 'a b c d e']) {
    assert.doesNotMatch(says(cron), /CronPattern|mode|parts|configuration/, cron);
  }
});

test('a cron that can never fire (30 February) is refused', () => {
  assert.equal(refusedField({ cron: '0 0 30 2 *' }), 'cron');
});

test('an unknown time zone is refused naming the timezone field', () => {
  assert.equal(refusedField({ cron: '@daily', timezone: 'Mars/Olympus_Mons' }), 'timezone');
  assert.equal(refusedField({ cron: '@daily', timezone: 7 }), 'timezone');
});

test('policies, flags and retry settings are checked field by field', () => {
  assert.equal(refusedField({ cron: '@daily', catchUp: 'some' }), 'catchUp');
  assert.equal(refusedField({ cron: '@daily', overlap: 'never' }), 'overlap');
  assert.equal(refusedField({ cron: '@daily', runOnStartup: 'yes' }), 'runOnStartup');
  assert.equal(refusedField({ cron: '@daily', maxAttempts: 0 }), 'maxAttempts');
  assert.equal(refusedField({ cron: '@daily', maxAttempts: 1.5 }), 'maxAttempts');
  assert.equal(refusedField({ cron: '@daily', backoff: 5 }), 'backoff');
  assert.equal(refusedField({ cron: '@daily', backoff: { initialMs: -1 } }), 'backoff.initialMs');
  assert.equal(refusedField({ cron: '@daily', backoff: { initialMs: 100, maxMs: 50 } }), 'backoff.maxMs');
  assert.equal(refusedField(null), 'settings');
});

test('stored settings get a structural check: resolved ones pass; unknown or missing fields, values this node cannot run and unknown zones do not', () => {
  const resolved = validateTimerSettings({ cron: '0 30 2 * * *', timezone: 'Europe/Berlin', overlap: 'queue', backoff: { initialMs: 10, maxMs: 20 } });
  checkStoredTimerSettings(resolved);
  checkStoredTimerSettings(JSON.parse(JSON.stringify(resolved)));
  const refused = (settings: unknown): string | undefined => {
    try {
      checkStoredTimerSettings(settings);
      return undefined;
    } catch (err) {
      assert.ok(err instanceof NimbusError);
      assert.equal(err.code, 'NIMBUS_ERR_DEPLOY_INVALID_DEFINITION');
      return String(err.details?.field);
    }
  };
  assert.equal(refused({ ...resolved, jitterMs: 5 }), 'jitterMs');
  assert.equal(refused({ ...resolved, catchUp: 'latest' }), 'catchUp');
  assert.equal(refused({ ...resolved, maxAttempts: 0 }), 'maxAttempts');
  assert.equal(refused({ ...resolved, backoff: { initialMs: 30, maxMs: 20 } }), 'backoff.maxMs');
  assert.equal(refused({ ...resolved, cron: 5 }), 'cron');
  assert.equal(refused({ ...resolved, timezone: undefined }), 'timezone');
  assert.equal(refused({ ...resolved, timezone: 'Mars/Olympus_Mons' }), 'timezone');
  assert.equal(refused({ ...resolved, runOnStartup: undefined }), 'runOnStartup', 'resolved settings hold every field');
  assert.equal(refused([resolved]), 'settings');
});
