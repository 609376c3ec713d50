import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestNode, type TestNode } from '../../helpers/test-node.js';
import { lines, runNimbus, type CliRun } from '../support/run-cli.js';
import { makeTempDir, type TempDir } from '../support/temp-app.js';

const APP = `
import { http, queue, timer } from 'nimbus-functions';
export const checkout = http({ route: 'POST /checkout' }, () => 'ok');
export const worker = queue({ queue: 'orders' }, async () => {});
export const nightly = timer({ cron: '0 3 * * *' }, async () => {});
`;

// Every command that names an app, a function or a queue says so when it does not exist, instead of printing nothing.
describe('unknown apps, functions and queues are errors with exit 1', () => {
  let node: TestNode;
  let cwd: TempDir;
  let nimbus: (...args: string[]) => Promise<CliRun>;

  before(async () => {
    node = await startTestNode();
    const deployed = await node.deploy('shop', { 'index.ts': APP });
    assert.equal(deployed.status, 201, JSON.stringify(deployed.body));
    cwd = await makeTempDir();
    nimbus = (...args) => runNimbus(args, { cwd: cwd.path, env: { NIMBUS_URL: node.url, NIMBUS_ADMIN_KEY: node.adminKey } });
  });
  after(async () => {
    await node.dispose();
    await cwd.remove();
  });

  test('each command names what it did not find, on one line', async () => {
    const cases: [string[], string][] = [
      [['logs', 'shoop'], 'nimbus: no such app: shoop'],
      [['logs', 'shop/chekout'], 'nimbus: no such function: shop/chekout'],
      [['usage', '--app', 'shoop'], 'nimbus: no such app: shoop'],
      [['versions', 'shoop'], 'nimbus: no such app: shoop'],
      [['rollback', 'shoop'], 'nimbus: no such app: shoop'],
      [['rm', 'shoop'], 'nimbus: no such app: shoop'],
      [['invoke', 'shop/chekout'], 'nimbus: no such function: shop/chekout; did you mean "checkout"?'],
      [['timers', 'run', 'shop/nope'], 'nimbus: no such function: shop/nope (no timer function of that name is deployed)'],
      [['timers', 'history', 'shop/checkout'], 'nimbus: no such function: shop/checkout (no timer function of that name is deployed)'],
      [['keys', 'create', 'shoop'], 'nimbus: no such app: shoop'],
      [['keys', 'create', 'shop/chekout'], 'nimbus: no such function: shop/chekout'],
      [['queue', 'peek', 'ordres'], 'nimbus: no such queue (it has had no message and no deployed function consumes it): ordres'],
      [['queue', 'purge', 'ordres'], 'nimbus: no such queue (it has had no message and no deployed function consumes it): ordres'],
      [['queue', 'redrive', 'ordres'], 'nimbus: no such queue (it has had no message and no deployed function consumes it): ordres'],
    ];
    for (const [args, message] of cases) {
      const run = await nimbus(...args);
      assert.equal(run.code, 1, `${args.join(' ')}: ${run.stdout}`);
      assert.equal(run.stdout, '', args.join(' '));
      assert.deepEqual(lines(run.stderr), [message], args.join(' '));
    }
  });

  test('names that do exist still work, even with nothing to show', async () => {
    for (const args of [['logs', 'shop'], ['logs', 'shop/worker'], ['usage', '--app', 'shop'], ['queue', 'peek', 'orders'], ['timers', 'history', 'shop/nightly']]) {
      const run = await nimbus(...args);
      assert.equal(run.code, 0, `${args.join(' ')}: ${run.stderr}`);
    }
    assert.equal((await nimbus('queue', 'peek', 'orders')).stdout, 'orders is empty.\n', 'a queue a function consumes exists before its first message');
  });

  test('a send makes its queue, so sending to a new one warns (with the closest name) but sends', async () => {
    const typo = await nimbus('queue', 'send', 'ordres', '--data', '{"n":1}');
    assert.equal(typo.code, 0, typo.stderr);
    assert.match(typo.stdout, /^Sent message \d+ to ordres\n$/);
    assert.deepEqual(lines(typo.stderr), ['warning: ordres is a new queue: it had no message before this one and no deployed function consumes it; did you mean "orders"?']);
    const again = await nimbus('queue', 'send', 'ordres', '--data', '{"n":2}');
    assert.equal(again.stderr, '', 'it exists now');
    const consumed = await nimbus('queue', 'send', 'orders', '--data', '{"n":3}');
    assert.equal(consumed.stderr, '');
    assert.equal((await nimbus('queue', 'purge', 'ordres')).code, 0);
  });
});
