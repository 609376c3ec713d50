import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { admin } from '../helpers/admin-client.js';
import { startTestNode, type TestNode } from '../helpers/test-node.js';

// Deploys through the admin API as `nimbus deploy` does: the bundle is not type-checked (a JavaScript
// app, --no-typecheck, `nimbus dev` before its check reports), so the node alone stands between a
// misspelt setting and a function that silently runs on the default.

/** Every documented setting of every kind, spelt right: none of them may be refused. */
const EVERY_FIELD = `import { blob, http, queue, timer } from 'nimbus-functions';
const shared = { memoryMb: 128, timeoutMs: 5_000, concurrency: 1, minInstances: 0, maxInstances: 2, idleTimeoutMs: 60_000,
  queueLimit: 10, queueTimeoutMs: 1_000, env: { MODE: 'x' }, network: { allow: ['127.0.0.1'] }, cpuShares: 1024, budgetPriority: 1 };
export const web = http({ ...shared, route: 'GET /every-field', auth: 'anonymous' }, () => 'ok');
export const work = queue({ ...shared, queue: 'every-field', batchSize: 2, maxBatchWaitMs: 10, maxConcurrency: 1, maxAttempts: 2,
  backoff: { initialMs: 10, maxMs: 20 }, visibilityTimeoutMs: 5_000, deadLetterQueue: 'every-field-dead' }, () => {});
export const upload = blob({ ...shared, bucket: 'every-field', path: 'in/{name}', events: ['created'], maxAttempts: 2, backoff: { initialMs: 10, maxMs: 20 } }, () => {});
export const nightly = timer({ ...shared, cron: '0 3 * * *', timezone: 'Europe/Berlin', catchUp: 'skip', overlap: 'queue', runOnStartup: false,
  maxAttempts: 2, backoff: { initialMs: 10, maxMs: 20 } }, () => {});
`;

interface Refusal { status: number; code: string; message: string; field: unknown }

describe('a deploy refuses settings fields its kind does not have', () => {
  let node: TestNode;
  before(async () => { node = await startTestNode(); });
  after(() => node.dispose());

  const refusal = async (definition: string): Promise<Refusal> => {
    const res = await node.deploy('typos', { 'index.ts': `import { blob, http, queue, timer } from 'nimbus-functions';\nexport ${definition}\n` });
    const error = res.body?.error as { code: string; message: string; field?: unknown } | undefined;
    return { status: res.status, code: String(error?.code), message: String(error?.message), field: error?.field };
  };

  test('every documented field of every kind, spelt right, deploys', async () => {
    const res = await node.deploy('every-field', { 'index.ts': EVERY_FIELD });
    assert.equal(res.status, 201, JSON.stringify(res.body));
  });

  const misspelt: [what: string, definition: string, field: string, says: string][] = [
    ['queue: maxAttemps', `const consume = queue({ queue: 'jobs', maxAttemps: 5 }, () => {});`,
      'maxAttemps', 'consume.maxAttemps: unknown queue setting; did you mean "maxAttempts"?'],
    ['blob: pth', `const thumbs = blob({ bucket: 'photos', pth: 'x' }, () => {});`,
      'pth', 'thumbs.pth: unknown blob setting; did you mean "path"?'],
    ['timer: catchup (letter case alone)', `const clearGreetings = timer({ cron: '@daily', catchup: 'once' }, () => {});`,
      'catchup', 'clearGreetings.catchup: unknown timer setting; did you mean "catchUp"?'],
    ['a shared setting on a queue function: memoryMB', `const consume = queue({ queue: 'jobs', memoryMB: 256 }, () => {});`,
      'memoryMB', 'consume.memoryMB: unknown queue setting; did you mean "memoryMb"?'],
    ['a shared setting on a timer function: timeout', `const tick = timer({ cron: '@hourly', timeout: 1000 }, () => {});`,
      'timeout', 'tick.timeout: unknown timer setting; did you mean "timeoutMs"?'],
    ['a shared setting on a blob function: maxInstance', `const thumbs = blob({ bucket: 'photos', maxInstance: 3 }, () => {});`,
      'maxInstance', 'thumbs.maxInstance: unknown blob setting; did you mean "maxInstances"?'],
    ['within backoff', `const consume = queue({ queue: 'jobs', backoff: { intialMs: 10 } }, () => {});`,
      'backoff.intialMs', 'consume.backoff.intialMs: unknown backoff setting; did you mean "initialMs"?'],
    ['an HTTP function, which gets the hint too', `const greet = http({ route: 'GET /hi', memroyMb: 256 }, () => 'hi');`,
      'memroyMb', 'greet.memroyMb: unknown HTTP setting; did you mean "memoryMb"?'],
  ];
  for (const [what, definition, field, says] of misspelt) {
    test(`${what}: 400 naming the function and the field, with the near name`, async () => {
      const r = await refusal(definition);
      assert.deepEqual({ status: r.status, code: r.code, field: r.field }, { status: 400, code: 'NIMBUS_ERR_DEPLOY_INVALID_DEFINITION', field }, r.message);
      assert.equal(r.message, `a function definition is not valid: ${says}`);
    });
  }

  test('a field near no known one is refused without a hint; several are named together', async () => {
    const r = await refusal(`const consume = queue({ queue: 'jobs', colour: 'red', maxAttemps: 5 }, () => {});`);
    assert.equal(r.status, 400);
    assert.equal(r.message, 'a function definition is not valid: consume.colour: unknown queue setting; consume.maxAttemps: unknown queue setting; did you mean "maxAttempts"?');
    assert.equal(r.field, 'colour');
  });

  test('nothing refused was deployed', async () => {
    assert.equal((await admin(node, 'GET', '/apps/typos')).status, 404);
  });

  const ACCEPTED = 'use 5 fields (minute hour day-of-month month day-of-week), or 6 with seconds first, e.g. "*/5 * * * *"';
  const crons: [what: string, cron: string, says: string][] = [
    ['English', 'every 5 minutes', `"every 5 minutes" is not a cron pattern: ${ACCEPTED}`],
    ['five words of English', 'every weekday at nine am', `"every weekday at nine am" is not a cron pattern: ${ACCEPTED}`],
    ['seven fields', '0 0 12 * * MON 2027', `"0 0 12 * * MON 2027" has 7 fields, and a year field is not supported: ${ACCEPTED}`],
    ['a field out of range', '0 25 * * *', '"0 25 * * *": hour "25" is out of range: use 0-23, a range (1-5), a list (1,15,30) or a step (*/15)'],
    ['a field croner counts from zero', '0 0 32 * *', '"0 0 32 * *": day-of-month "32" is out of range: use 1-31, a range (1-5), a list (1,15,30) or a step (*/15)'],
  ];
  for (const [what, cron, says] of crons) {
    test(`a bad cron (${what}) is explained in Nimbus's words`, async () => {
      const r = await refusal(`const clearGreetings = timer({ cron: ${JSON.stringify(cron)} }, () => {});`);
      assert.deepEqual({ status: r.status, field: r.field }, { status: 400, field: 'cron' }, r.message);
      assert.equal(r.message, `a function definition is not valid: clearGreetings.cron: ${says}`);
      assert.doesNotMatch(r.message, /CronPattern|mode|parts/, 'nothing of the library\'s own wording');
    });
  }
});
