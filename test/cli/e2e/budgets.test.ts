import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { admin } from '../../helpers/admin-client.js';
import { startTestNode, type TestNode } from '../../helpers/test-node.js';
import { lines, runNimbus, type CliRun } from '../support/run-cli.js';
import { makeTempDir, type TempDir } from '../support/temp-app.js';

// `nimbus budgets` and `nimbus deploy --create-budgets`, the real CLI against a real node.

const SHOP = `import { http, queue } from 'nimbus-functions';

export const checkout = http({ route: 'POST /cli-budgets/checkout', uses: ['orders-db', 'search-api'], budgetPriority: 5 }, () => ({ ok: true }));
export const settle = queue({ queue: 'cli-budget-settlements', uses: ['orders-db'] }, async () => {});
`;

describe('nimbus budgets and deploy --create-budgets', () => {
  let node: TestNode;
  let cwd: TempDir;
  let nimbus: (args: readonly string[]) => Promise<CliRun>;
  /** Exit 1, one readable line on stderr, nothing on stdout. */
  const refused = async (args: readonly string[], message: RegExp): Promise<void> => {
    const run = await nimbus(args);
    assert.equal(run.code, 1, `${args.join(' ')}: ${run.stdout}${run.stderr}`);
    assert.equal(run.stdout, '', args.join(' '));
    assert.equal(lines(run.stderr).length, 1, `${args.join(' ')}: ${run.stderr}`);
    assert.match(run.stderr, message, args.join(' '));
  };

  before(async () => {
    node = await startTestNode();
    cwd = await makeTempDir({ 'shop/index.ts': SHOP, 'shop/package.json': JSON.stringify({ name: 'shop' }) }, 'nimbus-cli-budgets-');
    nimbus = (args) => runNimbus(args, { cwd: cwd.path, env: { NIMBUS_URL: node.url, NIMBUS_ADMIN_KEY: node.adminKey } });
  });
  after(async () => {
    await node.dispose();
    await cwd.remove();
  });

  test('set creates and changes only what is given, ls shows the table and --json, rm removes', async () => {
    assert.deepEqual(lines((await nimbus(['budgets', 'ls'])).stdout), ['No budgets. Create one with: nimbus budgets set NAME --concurrency N']);

    const created = await nimbus(['budgets', 'set', 'orders-db', '--concurrency', '20', '--rate', '12000/min']);
    assert.equal(created.code, 0, created.stderr);
    assert.deepEqual(lines(created.stdout), ['Created budget orders-db: concurrency 20, rate 200/s (burst 200), not adaptive']);
    const burst = await nimbus(['budgets', 'set', 'orders-db', '--burst', '50']);
    assert.deepEqual(lines(burst.stdout), ['Updated budget orders-db: concurrency 20, rate 200/s (burst 50), not adaptive']);
    const adaptive = await nimbus(['budgets', 'set', 'orders-db', '--adaptive', '--min', '2']);
    assert.deepEqual(lines(adaptive.stdout), ['Updated budget orders-db: concurrency 20, rate 200/s (burst 50), adaptive 2-20']);
    assert.equal((await nimbus(['budgets', 'set', 'payments-api', '--concurrency', '5', '--rate', '12/min'])).code, 0);
    assert.equal((await nimbus(['budgets', 'set', 'spare', '--concurrency', '1'])).code, 0);
    const off = await nimbus(['budgets', 'set', 'spare', '--concurrency', '3', '--no-rate', '--no-adaptive']);
    assert.deepEqual(lines(off.stdout), ['Updated budget spare: concurrency 3, no rate, not adaptive']);

    const table = await nimbus(['budgets', 'ls']);
    assert.equal(table.code, 0, table.stderr);
    assert.deepEqual(lines(table.stdout), [
      'NAME          LIMIT  IN USE  WAITING  THROTTLED  ADAPTIVE   RATE            USED BY',
      'orders-db     20     0       0        0          20 (2-20)  200/s burst 50  -',
      'payments-api  5      0       0        0          -          12/min burst 1  -',
      'spare         3      0       0        0          -          -               -',
    ]);
    const json = JSON.parse((await nimbus(['budgets', 'ls', '--json'])).stdout) as { budgets: { name: string; rate: unknown; adaptive: unknown }[] };
    assert.deepEqual(json.budgets.map((b) => [b.name, b.rate, b.adaptive]), [
      ['orders-db', { perSecond: 200, burst: 50 }, { min: 2, max: 20 }],
      ['payments-api', { perSecond: 0.2, burst: 1 }, null],
      ['spare', null, null],
    ]);

    const removed = await nimbus(['budgets', 'rm', 'spare']);
    assert.deepEqual([removed.code, lines(removed.stdout)], [0, ['Removed budget spare']]);
    assert.equal((await admin(node, 'GET', '/budgets/spare')).status, 404);
  });

  test('bad input exits 1 with one readable line and changes nothing', async () => {
    const before = (await admin(node, 'GET', '/budgets')).body;
    await refused(['budgets', 'set', 'x-db', '--concurrency', '0'], /^nimbus: --concurrency must be a whole number from 1 to 100000, got "0"/);
    await refused(['budgets', 'set', 'x-db', '--concurrency', 'many'], /--concurrency must be a whole number/);
    await refused(['budgets', 'set', 'x-db', '--concurrency', '3', '--rate', 'fast'], /--rate must be starts per second or per minute .* like 200\/s or 12000\/min; got "fast"/);
    await refused(['budgets', 'set', 'x-db', '--concurrency', '3', '--rate', '0/s'], /--rate must be/);
    await refused(['budgets', 'set', 'x-db', '--concurrency', '3', '--rate', '5/s', '--no-rate'], /--no-rate cannot go with --rate or --burst/);
    await refused(['budgets', 'set', 'x-db', '--concurrency', '3', '--adaptive', '--no-adaptive'], /--no-adaptive cannot go with --adaptive/);
    await refused(['budgets', 'set', 'x-db'], /nothing to set: give --concurrency/);
    await refused(['budgets', 'set', 'X_DB', '--concurrency', '3'], /"X_DB" is not a budget name/);
    await refused(['budgets', 'set', 'x-db', '--concurrency', '3', '--limit', '4'], /unknown option "--limit"/);
    await refused(['budgets', 'set', 'x-db', '--rate', '5/s'], /concurrency: is required to create a budget/);
    await refused(['budgets', 'set', 'x-db', '--concurrency', '3', '--max', '4'], /adaptive\.max: 4 is above the concurrency \(3\)/);
    await refused(['budgets', 'set', 'payments-api', '--burst', '9', '--no-rate'], /--no-rate cannot go with/);
    await refused(['budgets', 'rm', 'x-db'], /^nimbus: no such budget: x-db$/m);
    await refused(['budgets', 'ls', 'extra'], /unexpected argument "extra"/);
    await refused(['budgets', 'nuke'], /unknown subcommand "budgets nuke"/);
    assert.deepEqual((await admin(node, 'GET', '/budgets')).body, before);
  });

  test('deploy naming a missing budget is refused; --create-budgets creates it; a budget in use cannot be removed', async () => {
    assert.ok([200, 201].includes((await admin(node, 'PUT', '/budgets/orders-db', { concurrency: 20 })).status));
    const refusedDeploy = await nimbus(['deploy', 'shop']);
    assert.equal(refusedDeploy.code, 1, refusedDeploy.stdout);
    assert.match(refusedDeploy.stderr, /shop was not deployed: checkout uses search-api\. Create it first \(nimbus budgets set NAME --concurrency N\), or deploy with --create-budgets/);
    assert.equal((await admin(node, 'GET', '/apps/shop')).status, 404);

    const deployed = await nimbus(['deploy', 'shop', '--create-budgets']);
    assert.equal(deployed.code, 0, deployed.stderr);
    assert.ok(lines(deployed.stdout).includes('Created budget search-api (concurrency 10, no rate, not adaptive): change with nimbus budgets set NAME'), deployed.stdout);
    const settings = (await admin(node, 'GET', '/apps/shop')).body.app.functions.find((f: { name: string }) => f.name === 'checkout').settings;
    assert.deepEqual([settings.uses, settings.budgetPriority], [['orders-db', 'search-api'], 5]);

    const table = lines((await nimbus(['budgets', 'ls'])).stdout);
    assert.match(table.find((l) => l.startsWith('orders-db'))!, /shop\/checkout, shop\/settle$/);
    assert.match(table.find((l) => l.startsWith('search-api'))!, /^search-api\s+10\s+0\s+0\s+0\s+-\s+-\s+shop\/checkout$/);
    await refused(['budgets', 'rm', 'orders-db'], /orders-db is used by shop\/checkout, shop\/settle: deploy them without it first/);
  });
});
