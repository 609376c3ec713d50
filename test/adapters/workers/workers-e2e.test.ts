import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cp } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { CliRun } from '../../cli/support/run-cli.js';
import { eventually, nimbusAt, NimbusProcess } from '../../cli/support/nimbus-process.js';
import { makeTempDir, type TempDir } from '../../cli/support/temp-app.js';

/** The example as shipped (dist/test/adapters/workers/ → examples/). */
const EXAMPLE = fileURLToPath(new URL('../../../../examples/workers-module', import.meta.url));

/**
 * examples/workers-module, deployed unchanged with the real CLI to a real
 * `nimbus start`, exercised through Nimbus's own triggers: HTTP routes, the
 * queue its producer binding fills, the timer run on demand, its R2 bucket
 * on Nimbus blobs, and ctx.waitUntil work that ends after the response.
 */
describe('a Cloudflare Worker deployed unchanged', () => {
  let data: TempDir;
  let app: TempDir;
  let node: NimbusProcess;
  let url: string;
  let adminKey: string;
  let nimbus: (args: readonly string[]) => Promise<CliRun>;
  let deployed: CliRun;

  before(async () => {
    data = await makeTempDir();
    app = await makeTempDir({}, 'nimbus-workers-app-');
    await cp(EXAMPLE, app.path, { recursive: true });
    node = new NimbusProcess(['start', '--port', '0', '--data', data.path], { cwd: data.path });
    url = await node.url();
    adminKey = await node.adminKey();
    nimbus = nimbusAt(url, adminKey, data.path);
    const secret = await nimbus(['secrets', 'set', 'workers-module', 'API_TOKEN=not-for-printing']);
    assert.equal(secret.code, 0, secret.stderr);
    deployed = await nimbus(['deploy', app.path]);
  });
  after(async () => {
    await node?.kill();
    await Promise.all([data?.remove(), app?.remove()]);
  });

  const api = (path: string, init?: RequestInit): Promise<Response> => fetch(`${url}/api${path}`, init);
  const adminGet = async (path: string): Promise<any> => (await fetch(`${url}/_nimbus/api/v1${path}`, { headers: { authorization: `Bearer ${adminKey}` } })).json();
  const stored = async (key: string): Promise<string | undefined> => {
    const res = await api(`/files/${key}`);
    const text = await res.text();
    return res.status === 200 ? text : undefined;
  };

  test('the deploy reads wrangler.toml and maps the route, the consumer and the cron', () => {
    assert.equal(deployed.code, 0, deployed.stderr);
    assert.match(deployed.stdout, /Read wrangler\.toml \(workers\): 3 functions/);
    assert.match(deployed.stdout, /routes\[0\] shop\.example\.com\/api\/\*\s+fetch\s+http \* \/api\/\*/);
    assert.match(deployed.stdout, /queues\.consumers workers-jobs\s+queue_workers_jobs\s+queue workers-jobs \(batch 10, wait 1 s, 3 attempts, dead letters to workers-jobs-dlq\)/);
    assert.match(deployed.stdout, /triggers\.crons "0 3 \* \* 1"\s+scheduled\s+timer 0 3 \* \* 0 \(UTC\)/);
    assert.match(deployed.stdout, /Deployed workers-module v1/);
  });

  test('nimbus ls shows the three functions with their origin', async () => {
    const run = await nimbus(['ls']);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /ORIGIN/);
    for (const fn of ['fetch', 'queue_workers_jobs', 'scheduled']) {
      assert.match(run.stdout, new RegExp(`workers-module\\s+v1\\s+${fn}\\b.*\\bworkers\\s*$`, 'm'));
    }
  });

  test('fetch gets the request, [vars] as strings and JSON, and the app\'s secrets in env', async () => {
    const res = await api('/hello');
    assert.equal(res.status, 200);
    const body = await res.json() as { greeting: string; limits: unknown; hasToken: boolean; url: string };
    assert.equal(body.greeting, 'hello from wrangler.toml');
    assert.deepEqual(body.limits, { maxBytes: 1048576, types: ['text/plain', 'application/json'] });
    assert.equal(body.hasToken, true);
    assert.equal(new URL(body.url).pathname, '/api/hello');
    const missing = await api('/nowhere');
    assert.equal(missing.status, 404);
    assert.deepEqual(await missing.json(), { error: 'not found: /nowhere' });
  });

  test('the R2 binding puts, gets, lists and deletes on the Nimbus bucket', async () => {
    const put = await api('/files/notes/a.txt', { method: 'PUT', headers: { 'content-type': 'text/plain', 'x-user': 'ada' }, body: 'first note' });
    assert.equal(put.status, 201);
    const written = await put.json() as { key: string; size: number; etag: string };
    assert.deepEqual({ key: written.key, size: written.size }, { key: 'notes/a.txt', size: 10 });
    assert.match(written.etag, /^[0-9a-f]{32}$/);
    await api('/files/notes/b.txt', { method: 'PUT', headers: { 'content-type': 'text/plain' }, body: 'second' });
    await api('/files/other/c.txt', { method: 'PUT', headers: { 'content-type': 'text/plain' }, body: 'third' });

    const got = await api('/files/notes/a.txt');
    assert.equal(got.status, 200);
    assert.equal(got.headers.get('content-type'), 'text/plain');
    assert.equal(got.headers.get('etag'), `"${written.etag}"`);
    assert.equal(got.headers.get('x-uploaded-by'), 'ada');
    assert.equal(await got.text(), 'first note');

    // The same object, read natively: a Nimbus blob like any other.
    const blob = await fetch(`${url}/_nimbus/api/v1/blobs/workers-uploads/notes/a.txt`, { headers: { authorization: `Bearer ${adminKey}` } });
    assert.equal(await blob.text(), 'first note');

    assert.deepEqual(await (await api('/files?prefix=notes/')).json(), { keys: ['notes/a.txt', 'notes/b.txt'], truncated: false, prefixes: [] });
    assert.deepEqual(await (await api('/files?delimiter=/')).json(), { keys: [], truncated: false, prefixes: ['notes/', 'other/'] });
    assert.equal((await api('/files/notes/a.txt', { method: 'PUT', headers: { 'content-type': 'image/png' }, body: 'x' })).status, 415);
    assert.equal((await api('/files/notes/b.txt', { method: 'DELETE' })).status, 204);
    assert.equal((await api('/files/notes/b.txt')).status, 404);
  });

  test('env.JOBS.send reaches the queue handler; retry({ delaySeconds }) comes back; retry() forever ends in the dead-letter queue', async () => {
    const sent = await api('/jobs', { method: 'POST', body: JSON.stringify([{ task: 'record', id: 'j1' }]) });
    assert.equal(sent.status, 202);
    const first = JSON.parse(await eventually('job j1 to be recorded', () => stored('jobs/j1.json')));
    assert.equal(first.attempts, 1);
    assert.equal(first.queue, 'workers-jobs');
    assert.ok(!Number.isNaN(Date.parse(first.sentAt)));

    await api('/jobs', { method: 'POST', body: JSON.stringify([{ task: 'flaky', id: 'f1' }, { task: 'record', id: 'j2' }, { task: 'poison', id: 'p1' }]) });
    assert.equal(JSON.parse(await eventually('job j2', () => stored('jobs/j2.json'))).attempts, 1);
    assert.equal(JSON.parse(await eventually('the flaky job, on its second attempt', () => stored('jobs/f1.json'))).attempts, 2);
    const dead = await eventually('the poison job in the dead-letter queue', async () => {
      const { messages } = await adminGet('/queues/workers-jobs-dlq/messages?limit=10') as { messages: { body: unknown; attempts: number }[] };
      return messages.find((m) => (m.body as { id?: string }).id === 'p1');
    });
    assert.deepEqual(dead.body, { task: 'poison', id: 'p1' });
    assert.equal(dead.attempts, 3, 'max_retries = 2: three attempts in all');
    assert.equal(await stored('jobs/p1.json'), undefined);
  });

  test('ctx.waitUntil work finishes after the response went out', async () => {
    const accepted = await api('/reports/r1', { method: 'POST' });
    assert.equal(accepted.status, 202);
    assert.deepEqual(await accepted.json(), { accepted: 'r1' });
    // Answered while the work still waits for its approval.
    assert.equal(await stored('reports/r1.txt'), undefined);
    assert.equal((await api('/reports/r1/approve', { method: 'POST' })).status, 200);
    assert.equal(await eventually('the report written by the late work', () => stored('reports/r1.txt')), 'report r1, finished after its response');
    // The record of the POST itself, which ends only once its late work did.
    const id = accepted.headers.get('x-nimbus-invocation-id');
    assert.ok(id, 'the answer names its invocation');
    const record = await eventually('the invocation record of the late work', async () => {
      const { records } = await adminGet('/invocation-records?app=workers-module&fn=fetch&limit=100') as { records: { id: string; outcome: string }[] };
      return records.find((r) => r.id === id);
    });
    assert.equal(record.outcome, 'ok');
  });

  test('the timer, run now, calls scheduled() with the cron as written in wrangler.toml', async () => {
    const run = await nimbus(['timers', 'run', 'workers-module/scheduled']);
    assert.equal(run.code, 0, run.stderr);
    const report = JSON.parse(await eventually('the weekly report', () => stored('reports/weekly.json')));
    assert.equal(report.cron, '0 3 * * 1');
    assert.ok(!Number.isNaN(Date.parse(report.scheduledTime)));
    assert.ok(report.jobs >= 1);
  });

  test('a service-worker script, an unsupported binding and a malformed wrangler.toml are refused in one readable line', async () => {
    const sw = await makeTempDir({
      'wrangler.toml': 'name = "old-style"\nmain = "worker.js"\n[[kv_namespaces]]\nbinding = "CACHE"\nid = "abc"\n',
      'worker.js': "addEventListener('fetch', (event) => event.respondWith(new Response('hi')));\n",
    });
    const broken = await makeTempDir({ 'wrangler.toml': 'name = "broken"\nmain = \n' });
    try {
      const refused = await nimbus(['deploy', sw.path]);
      assert.equal(refused.code, 1);
      assert.match(refused.stderr, /wrangler\.toml asks for 2 things Nimbus has no equivalent for; deploy the rest with --skip-unsupported/);
      assert.match(refused.stderr, /kv_namespaces: Nimbus has no key-value store binding/);
      assert.match(refused.stderr, /main \(worker\.js\): service-worker syntax/);
      const malformed = await nimbus(['deploy', broken.path]);
      assert.equal(malformed.code, 1);
      assert.match(malformed.stderr, /^nimbus: wrangler\.toml is not valid TOML: .*\(line 2, column \d+\)\n$/);
    } finally {
      await Promise.all([sw.remove(), broken.remove()]);
    }
  });
});
