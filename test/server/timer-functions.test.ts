import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { admin, eventually } from '../helpers/admin-client.js';
import { startTestNode, type TestNode } from '../helpers/test-node.js';

const APP = `
import { timer } from 'nimbus-functions';

export const everySecond = timer({ cron: '* * * * * *', timezone: 'Europe/Berlin' }, async (tick, ctx) => {
  console.log('tick', tick.scheduledAt, tick.isPastDue, ctx.invocationId);
});
`;

describe('timer functions on a node', () => {
  let node: TestNode;
  const lines: string[] = [];
  before(async () => {
    node = await startTestNode();
    node.onFunctionLog((line) => { if (line.functionName === 'everySecond') lines.push(line.message); });
  });
  after(() => node.dispose());

  test('a deployed timer fires through the dispatcher, and its runs are listed', async () => {
    const deployed = await node.deploy('clock', { 'index.ts': APP });
    assert.equal(deployed.status, 201, JSON.stringify(deployed.body));
    await eventually(() => lines.length >= 2, 15_000, 'two ticks');
    assert.match(lines[0]!, /^tick \d{4}-\d\d-\d\dT/);
    const list = await admin(node, 'GET', '/timers');
    assert.equal(list.status, 200);
    const timers = JSON.stringify(list.body);
    assert.match(timers, /everySecond/);
    const runs = await admin(node, 'GET', '/timers/clock/everySecond/runs');
    assert.equal(runs.status, 200, JSON.stringify(runs.body));
    assert.match(JSON.stringify(runs.body), /"ok"/);
  });

  test('an invalid cron or time zone is refused at deploy, naming the function and field', async () => {
    const badCron = await node.deploy('bad-cron', { 'index.ts': `import { timer } from 'nimbus-functions';\nexport const t = timer({ cron: '61 * * * *' }, () => {});` });
    assert.equal(badCron.status, 400);
    assert.match(badCron.body.error.message, /t\.cron/);
    const badZone = await node.deploy('bad-zone', { 'index.ts': `import { timer } from 'nimbus-functions';\nexport const t = timer({ cron: '@hourly', timezone: 'Mars/Olympus' }, () => {});` });
    assert.equal(badZone.status, 400);
    assert.match(badZone.body.error.message, /t\.timezone/);
  });

  test('removing the app stops its timers', async () => {
    assert.equal((await admin(node, 'DELETE', '/apps/clock')).status, 200);
    const removedAt = Date.now();
    await eventually(async () => !JSON.stringify((await admin(node, 'GET', '/timers')).body).includes('everySecond'), 10_000, 'the timer to go');
    await new Promise((r) => setTimeout(r, 2_500));
    // A tick scheduled before the removal may still log late (a cold start on a busy machine); none after it may run.
    // Scheduled times are whole seconds: one in the second the removal was stored may have been claimed just before it.
    const scheduled = lines.map((l) => Date.parse(l.split(' ')[1]!));
    assert.ok(scheduled.length > 0 && scheduled.every(Number.isFinite), `every tick line names its scheduled time: ${lines.join(' | ')}`);
    const scheduledAfter = scheduled.filter((at) => at > removedAt + 1_000);
    assert.deepEqual(scheduledAfter.map((at) => new Date(at).toISOString()), [], 'no ticks scheduled after the removal');
    const list = await admin(node, 'GET', '/timers');
    assert.doesNotMatch(JSON.stringify(list.body), /everySecond/);
  });
});
