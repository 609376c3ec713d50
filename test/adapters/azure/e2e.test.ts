import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cp, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CliRun } from '../../cli/support/run-cli.js';
import { eventually, nimbusAt, NimbusProcess } from '../../cli/support/nimbus-process.js';
import { makeTempDir, type TempDir } from '../../cli/support/temp-app.js';

// examples/azure-app, copied outside the repository (no node_modules, so @azure/functions is NOT installed),
// deployed unchanged with the real CLI to a real node and driven through Nimbus's own triggers.
const EXAMPLE = fileURLToPath(new URL('../../../../examples/azure-app', import.meta.url));

interface TimerRun { outcome: string }

describe('an Azure Functions v4 app deployed unchanged', () => {
  let data: TempDir;
  let apps: TempDir;
  let node: NimbusProcess;
  let url: string;
  let nimbus: (args: readonly string[]) => Promise<CliRun>;
  let appDir: string;

  const blobText = (path: string): Promise<string> => eventually(`blob ${path}`, async () => {
    const got = await nimbus(['blob', 'get', path]);
    return got.code === 0 ? got.stdout : undefined;
  });

  before(async () => {
    data = await makeTempDir();
    apps = await makeTempDir({}, 'nimbus-azure-e2e-');
    appDir = join(apps.path, 'azure-app');
    await cp(EXAMPLE, appDir, { recursive: true });
    node = new NimbusProcess(['start', '--port', '0', '--data', data.path], { cwd: data.path });
    url = await node.url();
    nimbus = nimbusAt(url, await node.adminKey(), apps.path);
  });
  after(async () => {
    await node?.kill();
    await Promise.all([data?.remove(), apps?.remove()]);
  });

  test('deploy reads package.json and host.json, shows how each function maps, and ls shows origin azure', async () => {
    const run = await nimbus(['deploy', appDir]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^Read package\.json, host\.json \(azure\): 7 functions$/m);
    assert.match(run.stdout, /src\/functions\/hello\.js: app\.http\('hello-world'\)\s+hello_world\s+http GET,POST \/api\/hello\/\*/);
    assert.match(run.stdout, /app\.storageQueue\('processOrder'\)\s+processOrder\s+queue orders \(batch 8, 2 attempts, then orders-poison\)/);
    assert.match(run.stdout, /^Deployed azure-app v1 /m);

    const ls = JSON.parse((await nimbus(['ls', '--json'])).stdout) as { apps: { name: string; functions: { name: string; kind: string; settings: { origin?: string } }[] }[] };
    const functions = ls.apps.find((a) => a.name === 'azure-app')!.functions;
    assert.deepEqual(functions.map((f) => [f.name, f.kind, f.settings.origin]).sort(), [
      ['createOrder', 'http', 'azure'], ['getProduct', 'http', 'azure'], ['hello_world', 'http', 'azure'],
      ['nightlyReport', 'timer', 'azure'], ['processOrder', 'queue', 'azure'], ['stats', 'http', 'azure'], ['summarizeUpload', 'blob', 'azure'],
    ]);
    assert.match((await nimbus(['ls'])).stdout, /hello_world\s+http\s+\* \/api\/hello\/\*\s+\d+\s+azure/);
  });

  test('HTTP functions answer under /api/ with Azure\'s request and response shapes', async () => {
    assert.equal(await (await fetch(`${url}/api/hello/ada`)).text(), 'Hello, ada!');
    assert.equal(await (await fetch(`${url}/api/hello?name=bob`)).text(), 'Hello, bob!');
    assert.equal(await (await fetch(`${url}/api/hello`, { method: 'POST', body: 'carol' })).text(), 'Hello, carol!');
    const put = await fetch(`${url}/api/hello`, { method: 'PUT' });
    assert.equal(put.status, 405);
    assert.equal(put.headers.get('allow'), 'GET, POST');

    const product = await fetch(`${url}/api/products/42`);
    assert.equal(product.status, 200);
    assert.equal(product.headers.get('content-type'), 'application/json');
    assert.equal(product.headers.get('x-served-by'), 'azure-app');
    assert.deepEqual(product.headers.getSetCookie(), ['last-product=42; path=/; samesite=lax; httponly']);
    assert.deepEqual(await product.json(), { id: 42, name: 'product 42' });
    assert.equal((await fetch(`${url}/api/products/abc`)).status, 404, '{id:int} refuses a word');

    const locked = await fetch(`${url}/api/stats`);
    assert.equal(locked.status, 401, 'authLevel function needs a function key');
    const key = await nimbus(['keys', 'create', 'azure-app/stats']);
    assert.equal(key.code, 0, key.stderr);
    const stats = await fetch(`${url}/api/stats`, { headers: { 'x-nimbus-key': key.stdout.trim() } });
    assert.equal(stats.status, 200);
    const body = (await stats.json()) as { function: string; invocationId: string };
    assert.deepEqual([body.function, body.invocationId], ['stats', stats.headers.get('x-nimbus-invocation-id')], 'the Azure name; the Nimbus invocation id');

    await eventually('context.log lines in the function\'s logs', async () => (await nimbus(['logs', 'azure-app/hello_world'])).stdout.includes('Http function processed request for url'));
  });

  test('an order goes from the HTTP output binding through the storage queue trigger to a blob output', async () => {
    const created = await fetch(`${url}/api/orders`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ orderId: 'o-1', items: 3 }) });
    assert.equal(created.status, 202);
    assert.deepEqual(await created.json(), { queued: 'o-1' });
    const receipt = JSON.parse(await blobText('receipts/o-1.json')) as Record<string, unknown>;
    assert.deepEqual({ ...receipt, messageId: typeof receipt['messageId'] }, { orderId: 'o-1', items: 3, messageId: 'string', dequeueCount: 1 });
  });

  test('a message that keeps failing is retried maxDequeueCount times, then moved to <queue>-poison', async () => {
    const sent = await nimbus(['queue', 'send', 'orders', '--data', '{"orderId":"bad","poison":true}']);
    assert.equal(sent.code, 0, sent.stderr);
    await eventually('the message in orders-poison', async () => {
      const ls = JSON.parse((await nimbus(['queue', 'ls', '--json'])).stdout) as { queues: { name: string; depth: number }[] };
      return ls.queues.find((q) => q.name === 'orders-poison')?.depth === 1;
    });
    const logs = (await nimbus(['logs', 'azure-app/processOrder'])).stdout;
    assert.match(logs, /processing order bad, dequeue count 1/);
    assert.match(logs, /processing order bad, dequeue count 2/);
  });

  test('a blob written under uploads/ triggers the blob function, whose return output writes the summary', async () => {
    await writeFile(join(apps.path, 'a.txt'), 'line one\nline two\n');
    const put = await nimbus(['blob', 'put', 'uploads/notes/a.txt', join(apps.path, 'a.txt')]);
    assert.equal(put.code, 0, put.stderr);
    assert.deepEqual(JSON.parse(await blobText('summaries/notes/a.json')), { name: 'notes/a', bytes: 18, lines: 2, contentType: 'text/plain; charset=utf-8', isBuffer: true });
  });

  test('the timer is scheduled from its NCRONTAB expression and, run now, gets Azure\'s timer object', async () => {
    const timers = JSON.parse((await nimbus(['timers', 'ls', '--json'])).stdout) as { timers: { app: string; cron: string }[] };
    assert.ok(timers.timers.some((t) => t.app === 'azure-app' && t.cron === '0 30 2 * * *'), JSON.stringify(timers));
    const run = await nimbus(['timers', 'run', 'azure-app/nightlyReport']);
    assert.equal(run.code, 0, run.stderr);
    const last = await eventually('the timer run to finish', async () => {
      const history = JSON.parse((await nimbus(['timers', 'history', 'azure-app/nightlyReport', '--json'])).stdout) as { runs: TimerRun[] };
      return history.runs[0] && history.runs[0].outcome !== 'running' ? history.runs[0] : undefined;
    });
    assert.equal(last.outcome, 'ok');
    const key = await eventually('the report', async () => {
      const ls = JSON.parse((await nimbus(['blob', 'ls', 'reports', '--json'])).stdout) as { objects: { key: string }[] };
      return ls.objects[0]?.key;
    });
    const report = JSON.parse(await blobText(`reports/${key}`)) as { functionName: string; timer: { isPastDue: boolean; schedule: unknown; scheduleStatus: Record<string, string> } };
    assert.equal(report.functionName, 'nightlyReport');
    assert.equal(report.timer.isPastDue, false);
    assert.deepEqual(report.timer.schedule, { adjustForDST: true });
    assert.deepEqual(Object.keys(report.timer.scheduleStatus).sort(), ['last', 'lastUpdated', 'next']);
  });

  test('%NAME% in a schedule or queue name reads the app\'s secrets, as Azure reads app settings; a missing one refuses the deploy', async () => {
    const dir = join(apps.path, 'azure-settings');
    await cp(join(appDir, 'host.json'), join(dir, 'host.json'));
    await writeFile(join(dir, 'package.json'), JSON.stringify({ name: 'azure-settings', main: 'index.js', type: 'module' }));
    await writeFile(join(dir, 'index.js'), `import { app } from '@azure/functions';
app.timer('report', { schedule: '%REPORT_SCHEDULE%', handler: () => {} });
app.storageQueue('jobs', { queueName: '%JOBS_QUEUE%', connection: 'AzureWebJobsStorage', handler: () => {} });
`);
    const refused = await nimbus(['deploy', dir]);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /Azure function "report": schedule reads the app setting %REPORT_SCHEDULE%, which is not set/);

    const set = await nimbus(['secrets', 'set', 'azure-settings', 'REPORT_SCHEDULE=0 0 6 * * *', 'JOBS_QUEUE=nightly-jobs']);
    assert.equal(set.code, 0, set.stderr);
    const deployed = await nimbus(['deploy', dir]);
    assert.equal(deployed.code, 0, deployed.stderr);
    assert.match(deployed.stdout, /report\s+timer\s+0 0 6 \* \* \* UTC/);
    assert.match(deployed.stdout, /jobs\s+queue\s+queue nightly-jobs/);
  });

  test('a function on a trigger Nimbus lacks refuses the deploy, naming it; --skip-unsupported deploys the rest', async () => {
    await writeFile(join(appDir, 'src/functions/feed.js'), `import { app } from '@azure/functions';
app.cosmosDB('feed', { connection: 'CosmosDb', databaseName: 'shop', containerName: 'orders', handler: () => {} });
`);
    const refused = await nimbus(['deploy', appDir]);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /package\.json, host\.json asks for something Nimbus has no equivalent for; deploy the rest with --skip-unsupported/);
    assert.match(refused.stderr, /src\/functions\/feed\.js: app\.cosmosDB\('feed'\): the Cosmos DB change feed has no Nimbus equivalent/);

    const skipped = await nimbus(['deploy', appDir, '--skip-unsupported']);
    assert.equal(skipped.code, 0, skipped.stderr);
    assert.match(skipped.stdout, /Left out \(no Nimbus equivalent\):/);
    assert.match(skipped.stdout, /^Deployed azure-app v2 /m);
    assert.equal(await (await fetch(`${url}/api/hello/again`)).text(), 'Hello, again!');
  });
});
