import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdir, readdir, symlink, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { typecheckApp } from '../../../src/cli/bundle/typecheck-app.js';
import { COMMON_TEMPLATE_DIR, TEMPLATES, TEMPLATES_DIR } from '../../../src/cli/init/app-templates.js';
import type { CliRun } from '../support/run-cli.js';
import { runNimbus, TOOK } from '../support/run-cli.js';
import { eventually, nimbusAt, NimbusProcess } from '../support/nimbus-process.js';
import { makeTempDir, type TempDir } from '../support/temp-app.js';

// Every `nimbus init` template as a user gets it: scaffolded into a folder outside the repository,
// type-checked by tsc with the tsconfig.json it came with (as an editor reads it) and by the deploy's
// own check, deployed to a real node, and made to do its work, starting with the first request a
// newcomer makes, while the buckets it reads have not been made yet (a bucket is made by its first write).

const REPO = fileURLToPath(new URL('../../../../', import.meta.url));
const require = createRequire(import.meta.url);
const TSC = require.resolve('typescript/bin/tsc');
const NODE_TYPES = dirname(require.resolve('@types/node/package.json'));

interface TimerRun {
  outcome: string;
}

describe('nimbus init templates', () => {
  let data: TempDir;
  let apps: TempDir;
  let node: NimbusProcess;
  let url: string;
  let nimbus: (args: readonly string[]) => Promise<CliRun>;

  before(async () => {
    data = await makeTempDir();
    apps = await makeTempDir({}, 'nimbus-templates-');
    node = new NimbusProcess(['start', '--port', '0', '--data', data.path], { cwd: data.path });
    url = await node.url();
    nimbus = nimbusAt(url, await node.adminKey(), apps.path);
  });
  after(async () => {
    await node?.kill();
    await Promise.all([data?.remove(), apps?.remove()]);
  });

  /** `nimbus init tpl-<name> --template <name>`, checked both ways, then deployed; returns the app's folder. */
  async function scaffoldAndDeploy(template: string): Promise<string> {
    const name = `tpl-${template}`;
    const init = await runNimbus(['init', name, '--template', template], { cwd: apps.path });
    assert.equal(init.code, 0, init.stderr);
    const dir = join(apps.path, name);

    assert.deepEqual(await typecheckApp(dir, join(dir, 'index.ts')), [], 'the deploy type check passes');
    // What an editor and `npm run typecheck` see once nimbus-functions is installed: the package's exports and types.
    await mkdir(join(dir, 'node_modules', '@types'), { recursive: true });
    await symlink(REPO, join(dir, 'node_modules', 'nimbus-functions'));
    await symlink(NODE_TYPES, join(dir, 'node_modules', '@types', 'node'));
    const tsc = spawnSync(process.execPath, [TSC, '--project', dir], { encoding: 'utf8' });
    assert.equal(tsc.status, 0, `tsc --project ${name}:\n${tsc.stdout}${tsc.stderr}`);

    const deploy = await nimbus(['deploy', dir]);
    assert.equal(deploy.code, 0, deploy.stderr);
    assert.match(deploy.stdout, new RegExp(`^Deployed ${name} v1 in ${TOOK}$`, 'm'));
    return dir;
  }

  async function lastTimerRun(target: string): Promise<TimerRun | undefined> {
    const history = await nimbus(['timers', 'history', target, '--json']);
    assert.equal(history.code, 0, history.stderr);
    return (JSON.parse(history.stdout) as { runs: TimerRun[] }).runs[0];
  }

  async function runTimerToCompletion(target: string): Promise<void> {
    const run = await nimbus(['timers', 'run', target]);
    assert.equal(run.code, 0, run.stderr);
    const last = await eventually(`${target} to finish`, async () => {
      const latest = await lastTimerRun(target);
      return latest && latest.outcome !== 'running' ? latest : undefined;
    });
    assert.equal(last.outcome, 'ok', `${target} ran: ${JSON.stringify(last)}\n${(await nimbus(['logs', target.split('/')[0]!])).stdout}`);
  }

  async function blobText(path: string): Promise<string> {
    return eventually(`blob ${path}`, async () => {
      const got = await nimbus(['blob', 'get', path]);
      return got.code === 0 ? got.stdout : undefined;
    });
  }

  /** The buckets that exist: a template's first request on a fresh node finds its own not yet made. */
  async function bucketNames(): Promise<string[]> {
    const listed = await nimbus(['blob', 'buckets', '--json']);
    assert.equal(listed.code, 0, listed.stderr);
    return (JSON.parse(listed.stdout) as { buckets: { name: string }[] }).buckets.map((b) => b.name);
  }

  test('the templates on disk are the ones init offers, each with an index.ts', async () => {
    const folders = (await readdir(TEMPLATES_DIR)).filter((f) => f !== COMMON_TEMPLATE_DIR).sort();
    assert.deepEqual(folders, TEMPLATES.map((t) => t.name).sort());
    for (const folder of folders) assert.ok((await readdir(join(TEMPLATES_DIR, folder))).includes('index.ts'), folder);
  });

  test('all: the timer runs before any greeting; GET /greet/:name answers, the queue stores the greeting, the blob trigger logs it', async () => {
    await scaffoldAndDeploy('all');
    assert.ok(!(await bucketNames()).includes('greetings'), 'a fresh node: no greeting stored yet');
    await runTimerToCompletion('tpl-all/clearGreetings');

    const answer = await fetch(`${url}/greet/ada`);
    assert.equal(answer.status, 200);
    assert.deepEqual(await answer.json(), { hello: 'ada' });
    const invoked = await nimbus(['invoke', 'tpl-all/greet', '--json']);
    assert.equal(invoked.code, 0, invoked.stderr);
    assert.deepEqual((JSON.parse(invoked.stdout) as { body: unknown }).body, { hello: 'world' }, 'at /fn/<app>/greet, without :name');
    const ls = JSON.parse((await nimbus(['ls', '--json'])).stdout) as { apps: { name: string; functions: { name: string; settings: { memoryMb: number; cpuShares: number } }[] }[] };
    const greet = ls.apps.find((a) => a.name === 'tpl-all')!.functions.find((f) => f.name === 'greet')!;
    assert.deepEqual([greet.settings.memoryMb, greet.settings.cpuShares], [128, 1024], 'the CPU share security.md gives 128 MiB');

    assert.equal((JSON.parse(await blobText('greetings/ada.json')) as { name: string }).name, 'ada');
    await eventually('the blob trigger to log the greeting', async () => (await nimbus(['logs', 'tpl-all/greetingStored'])).stdout.includes('stored the greeting for ada'));
    await runTimerToCompletion('tpl-all/clearGreetings');
  });

  test('http-api: an empty store lists no notes; notes are created, read back and listed; bad input is a 400 naming the field', async () => {
    await scaffoldAndDeploy('http-api');
    assert.ok(!(await bucketNames()).includes('notes'), 'a fresh node: no note stored yet');

    // The first request a newcomer makes, before any note exists.
    const empty = await fetch(`${url}/notes`);
    assert.equal(empty.status, 200, await empty.clone().text());
    assert.deepEqual(await empty.json(), { notes: [] });
    assert.equal((await fetch(`${url}/notes/nope`)).status, 404);

    const created = await fetch(`${url}/notes`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text: 'buy tea' }) });
    assert.equal(created.status, 201);
    const note = (await created.json()) as { id: string; text: string };
    assert.equal(note.text, 'buy tea');

    const read = await fetch(`${url}/notes/${note.id}`);
    assert.equal(read.status, 200);
    assert.deepEqual(await read.json(), { ...note });
    assert.deepEqual(await (await fetch(`${url}/notes`)).json(), { notes: [note.id] });
    assert.equal((await fetch(`${url}/notes/nope`)).status, 404);

    const bad = await fetch(`${url}/notes`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"text":""}' });
    assert.equal(bad.status, 400);
    assert.match(((await bad.json()) as { error: string }).error, /^text: /);
  });

  test('queue-worker: a message sent with the CLI is delivered to the outbox', async () => {
    await scaffoldAndDeploy('queue-worker');

    const sent = await nimbus(['queue', 'send', 'emails', '--data', '{"to":"ada@example.com","subject":"Welcome"}']);
    assert.equal(sent.code, 0, sent.stderr);
    const listed = await eventually('the e-mail in the outbox', async () => {
      const ls = await nimbus(['blob', 'ls', 'outbox', '--json']);
      const objects = ls.code === 0 ? (JSON.parse(ls.stdout) as { objects: { key: string }[] }).objects : [];
      return objects.length > 0 ? objects : undefined;
    });
    assert.deepEqual(JSON.parse(await blobText(`outbox/${listed[0]!.key}`)), { to: 'ada@example.com', subject: 'Welcome' });
  });

  test('cron-job: the timer is scheduled, runs on demand and reports an empty bucket as empty', async () => {
    await scaffoldAndDeploy('cron-job');

    const timers = await nimbus(['timers', 'ls', '--json']);
    assert.equal(timers.code, 0, timers.stderr);
    assert.ok((JSON.parse(timers.stdout) as { timers: { app: string; cron: string }[] }).timers.some((t) => t.app === 'tpl-cron-job' && t.cron === '*/15 * * * *'), timers.stdout);
    // Before blob-processor's test, so its first run finds the bucket "uploads" not yet made.
    assert.ok(!(await bucketNames()).includes('uploads'), 'a fresh node: nothing uploaded yet');
    await runTimerToCompletion('tpl-cron-job/report');
    const reports = await nimbus(['blob', 'ls', 'reports', '--json']);
    assert.equal(reports.code, 0, reports.stderr);
    const objects = (JSON.parse(reports.stdout) as { objects: { key: string }[] }).objects;
    assert.equal(objects.length, 1);
    const report = JSON.parse(await blobText(`reports/${objects[0]!.key}`)) as { objects: number; bytes: number };
    assert.deepEqual([report.objects, report.bytes], [0, 0]);
  });

  test('blob-processor: a text file uploaded under incoming/ gets its summary', async () => {
    const dir = await scaffoldAndDeploy('blob-processor');
    await writeFile(join(dir, 'hello.txt'), 'hello nimbus\nsecond line\n');

    const put = await nimbus(['blob', 'put', 'uploads/incoming/hello.txt', join(dir, 'hello.txt')]);
    assert.equal(put.code, 0, put.stderr);
    const summary = JSON.parse(await blobText('uploads/summaries/hello.json')) as Record<string, unknown>;
    assert.deepEqual({ ...summary, summarisedAt: typeof summary['summarisedAt'] }, { source: 'incoming/hello.txt', lines: 2, words: 4, bytes: 25, summarisedAt: 'string' });
  });
});
