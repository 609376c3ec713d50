import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { CliRun } from '../support/run-cli.js';
import { lines, TOOK } from '../support/run-cli.js';
import { nimbusAt, NimbusProcess } from '../support/nimbus-process.js';
import { makeTempDir, type TempDir } from '../support/temp-app.js';

// The whole life of an app through the CLI, against a real node started with `nimbus start`.
// App folders live in the OS temp dir with no node_modules: `nimbus` must resolve to this installation's SDK.

const echoApp = (v: number): string => `import { http } from 'nimbus-functions';

export const echo = http('POST /flow/echo', async (req) => Response.json({ v: ${v}, got: await req.json() }));
export const which = http({ route: 'GET /flow/which' }, () => new Response('v${v}'));
`;

interface VersionJson {
  version: number;
  live: boolean;
  functions: string[];
  bundleHash: string;
}

describe('deploy, inspect, roll back and remove an app', () => {
  let data: TempDir;
  let node: NimbusProcess;
  let url: string;
  let nimbus: (args: readonly string[]) => Promise<CliRun>;
  const folders: TempDir[] = [];
  const appFolder = async (files: Record<string, string>): Promise<TempDir> => {
    const dir = await makeTempDir(files, 'nimbus-e2e-app-');
    folders.push(dir);
    return dir;
  };
  const which = async (): Promise<string> => {
    const response = await fetch(`${url}/flow/which`);
    return `${response.status} ${await response.text()}`;
  };
  const versions = async (): Promise<VersionJson[]> => {
    const run = await nimbus(['versions', 'flow', '--json']);
    assert.equal(run.code, 0, run.stderr);
    return (JSON.parse(run.stdout) as { versions: VersionJson[] }).versions;
  };
  let flow: TempDir;

  before(async () => {
    data = await makeTempDir();
    node = new NimbusProcess(['start', '--port', '0', '--data', data.path], { cwd: data.path });
    url = await node.url();
    nimbus = nimbusAt(url, await node.adminKey(), data.path);
    flow = await appFolder({ 'index.ts': echoApp(1), 'package.json': JSON.stringify({ name: '@acme/flow' }) });
  });
  after(async () => {
    await node?.kill();
    await Promise.all([data?.remove(), ...folders.map((f) => f.remove())]);
  });

  test('deploy DIR prints the version and each function with its route and URL', async () => {
    const run = await nimbus(['deploy', flow.path]);

    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, new RegExp(`^Deployed flow v1 in ${TOOK}$`, 'm'), 'the name comes from package.json, scope removed');
    for (const step of ['bundle', 'type check', 'upload', 'live']) assert.match(run.stdout, new RegExp(`^  ${step} +${TOOK}`, 'm'), `the ${step} step and its time`);
    // The route's own URL, as declared, at the node's root: not /fn/, which --json gives as url.
    assert.match(run.stdout, new RegExp(`echo\\s+http\\s+POST /flow/echo\\s+${url}/flow/echo$`, 'm'));
    assert.match(run.stdout, new RegExp(`which\\s+http\\s+GET /flow/which\\s+${url}/flow/which$`, 'm'));
    assert.equal(await which(), '200 v1', 'the printed URL serves the function');
    assert.equal(await (await fetch(`${url}/fn/flow/which`)).text(), 'v1', 'so does its /fn/ URL');
  });

  test('ls --json gives each function its name, route and instance count', async () => {
    const run = await nimbus(['ls', '--json']);

    assert.equal(run.code, 0, run.stderr);
    const { apps } = JSON.parse(run.stdout) as { apps: { name: string; liveVersion: number; functions: { name: string; route: string; instances: number }[] }[] };
    const app = apps.find((a) => a.name === 'flow');
    assert.ok(app, run.stdout);
    assert.equal(app.liveVersion, 1);
    assert.deepEqual(app.functions.map(({ name, route }) => ({ name, route })), [
      { name: 'echo', route: 'POST /flow/echo' },
      { name: 'which', route: 'GET /flow/which' },
    ]);
    for (const f of app.functions) assert.ok(Number.isInteger(f.instances) && f.instances >= 0, `instances of ${f.name}: ${f.instances}`);

    const table = await nimbus(['ls']);
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout, /^flow\s+v1\s+echo\s+http\s+POST \/flow\/echo\s+\d+$/m);
  });

  test('invoke APP/FUNCTION --data sends JSON and prints the answer', async () => {
    const run = await nimbus(['invoke', 'flow/echo', '--data', '{"a":1}']);

    assert.equal(run.code, 0, run.stderr);
    assert.equal(lines(run.stdout)[0], 'HTTP/1.1 200 OK');
    assert.deepEqual(JSON.parse(run.stdout.slice(run.stdout.indexOf('\n\n') + 2)), { v: 1, got: { a: 1 } });
    const json = await nimbus(['invoke', 'flow/echo', '--data', '{"a":2}', '--json']);
    assert.deepEqual((JSON.parse(json.stdout) as { body: unknown }).body, { v: 1, got: { a: 2 } });
  });

  test('a second deploy is v2; versions lists both with v2 live', async () => {
    await flow.write('index.ts', echoApp(2));
    const run = await nimbus(['deploy', flow.path]);

    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^Deployed flow v2 in /m);
    assert.equal(await which(), '200 v2');
    const listed = await versions();
    assert.deepEqual(listed.map((v) => [v.version, v.live]).sort(), [[1, false], [2, true]]);
    for (const v of listed) assert.deepEqual(v.functions, ['echo', 'which']);

    const table = await nimbus(['versions', 'flow']);
    assert.equal(table.code, 0, table.stderr);
    const rows = lines(table.stdout);
    assert.match(rows[0]!, /^VERSION\s+LIVE\s+CREATED\s+SIZE\s+FUNCTIONS$/);
    assert.match(rows[1]!, /^v2\s+live\s+\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\s+[\d.]+ KiB\s+echo, which$/, 'newest first');
    assert.match(rows[2]!, /^v1\s+\d{4}-/);
  });

  test('deploying the same code again makes no new version and skips the type check and the upload', async () => {
    const before = await versions();
    const run = await nimbus(['deploy', flow.path]);

    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^flow: unchanged, version 2 stays live$/m);
    assert.doesNotMatch(run.stdout, /type check|upload/);
    assert.match(run.stdout, /which\s+http\s+GET \/flow\/which/, 'the functions are listed all the same');
    assert.deepEqual(await versions(), before);

    const json = await nimbus(['deploy', flow.path, '--json']);
    assert.equal(json.code, 0, json.stderr);
    const result = JSON.parse(json.stdout) as { version: number; unchanged: boolean; steps: { name: string }[]; functions: { name: string; url: string; routeUrl: string }[] };
    assert.equal(result.version, 2);
    assert.equal(result.unchanged, true);
    const listed = result.functions.find((f) => f.name === 'which');
    assert.deepEqual([listed?.url, listed?.routeUrl], [`${url}/fn/flow/which`, `${url}/flow/which`], 'both URLs, read from the live version');
    assert.deepEqual(result.steps.map((s) => s.name), ['bundle']);
  });

  test('rollback makes the previous version live; rollback --to N picks one', async () => {
    const back = await nimbus(['rollback', 'flow']);
    assert.equal(back.code, 0, back.stderr);
    assert.equal(back.stdout, 'Rolled back flow to v1 (was v2)\n');
    assert.equal(await which(), '200 v1');
    assert.deepEqual((await versions()).filter((v) => v.live).map((v) => v.version), [1]);

    const forward = await nimbus(['rollback', 'flow', '--to', '2', '--json']);
    assert.equal(forward.code, 0, forward.stderr);
    assert.deepEqual(JSON.parse(forward.stdout), { app: 'flow', liveVersion: 2, previousVersion: 1 });
    assert.equal(await which(), '200 v2');
  });

  describe('a deploy that fails exits 1 with one readable line and changes nothing', () => {
    const refused = async (files: Record<string, string>): Promise<string[]> => {
      const before = await versions();
      const dir = await appFolder(files);
      const run = await nimbus(['deploy', dir.path, '--app', 'flow']);
      assert.equal(run.code, 1, run.stdout);
      assert.doesNotMatch(run.stdout, /Deployed/);
      const err = lines(run.stderr);
      assert.match(err[0]!, /^nimbus: \S/);
      assert.deepEqual(await versions(), before, 'no version was added');
      assert.equal(await which(), '200 v2', 'the live version still serves');
      return err;
    };

    test('a type error, with file:line:col', async () => {
      const err = await refused({ 'index.ts': `import { http } from 'nimbus-functions';\nconst n: number = 'one';\nexport const which = http('GET /flow/which', () => new Response(String(n)));\n` });
      assert.deepEqual(err, [
        'nimbus: type check failed (1 error; skip with --no-typecheck)',
        "  index.ts:2:7 Type 'string' is not assignable to type 'number'.",
      ]);
    });

    test('a syntax error, with file:line:col', async () => {
      const err = await refused({ 'index.ts': `import { http } from 'nimbus-functions';\nexport const which = http('GET /flow/which', () => new Response('x')));\n` });
      assert.equal(err.length, 2, err.join('\n'));
      assert.match(err[1]!, /^ {2}index\.ts:2:\d+ /);
    });

    test('an app that exports no functions', async () => {
      const err = await refused({ 'index.ts': `export const answer = 42;\n` });
      assert.deepEqual(err, ['nimbus: the app exports no functions: export at least one http(), queue(), blob() or timer() definition']);
    });

    test('an invalid route', async () => {
      const err = await refused({ 'index.ts': `import { http } from 'nimbus-functions';\nexport const which = http({ route: 'GET no-slash' }, () => new Response('x'));\n` });
      assert.equal(err.length, 1, err.join('\n'));
      assert.match(err[0]!, /route "GET no-slash".*must start with "\/"/);
    });

    test('a route another app owns: the message names that app', async () => {
      const other = await appFolder({ 'index.ts': `import { http } from 'nimbus-functions';\nexport const owned = http('GET /owned', () => new Response('other'));\n` });
      const deployed = await nimbus(['deploy', other.path, '--app', 'other']);
      assert.equal(deployed.code, 0, deployed.stderr);

      const err = await refused({ 'index.ts': `import { http } from 'nimbus-functions';\nexport const which = http('GET /owned', () => new Response('mine'));\n` });
      assert.equal(err.length, 1, err.join('\n'));
      assert.match(err[0]!, /^nimbus: a route is already served by another app: GET \/owned .*app "other"/);
      assert.equal(await (await fetch(`${url}/owned`)).text(), 'other');
    });

    test('a misspelt setting in a JavaScript app (no type check to catch it), with the near name', async () => {
      const err = await refused({ 'index.js': `import { http, queue } from 'nimbus-functions';\nexport const which = http('GET /flow/which', () => new Response('x'));\nexport const work = queue({ queue: 'flow-jobs', maxAttemps: 5 }, () => {});\n` });
      assert.deepEqual(err, ['nimbus: a function definition is not valid: work.maxAttemps: unknown queue setting; did you mean "maxAttempts"?']);
    });

    test('a module that throws at its top level', async () => {
      const err = await refused({ 'index.ts': `import { http } from 'nimbus-functions';\nthrow new Error('no config');\nexport const which = http('GET /flow/which', () => new Response('x'));\n` });
      assert.equal(err.length, 1, err.join('\n'));
      assert.match(err[0]!, /^nimbus: the bundle failed to load: Error: no config/);
      assert.match(err[0]!, /index\.ts:2:\d+/, 'where it threw');
    });

    test('a module that throws at its top level is located in the app\'s own file', async () => {
      const err = await refused({ 'index.ts': `import { http } from 'nimbus-functions';\nthrow new Error('no config');\nexport const which = http('GET /flow/which', () => new Response('x'));\n` });
      assert.match(err[0]!, /\(at index\.ts:2:\d+\)$/);
    });

    test('a bundle over 50 MiB is refused with 413', async () => {
      const before = await versions();
      const bundle = `export const padding = 1;\n//${'x'.repeat(51 * 1024 * 1024)}\n`;
      const response = await fetch(`${url}/_nimbus/api/v1/apps/flow/versions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${await node.adminKey()}`, 'content-type': 'application/json' },
        body: JSON.stringify({ bundle }),
      });
      assert.equal(response.status, 413);
      assert.equal(((await response.json()) as { error: { code: string } }).error.code, 'NIMBUS_ERR_DEPLOY_BUNDLE_TOO_LARGE');
      assert.deepEqual(await versions(), before);
      assert.equal(await which(), '200 v2');
    });
  });

  test('rm removes the app: its routes answer 404 and the CLI says it is gone', async () => {
    const run = await nimbus(['rm', 'flow']);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, 'Removed flow\n');

    assert.equal((await fetch(`${url}/flow/which`)).status, 404);
    assert.equal((await fetch(`${url}/fn/flow/which`)).status, 404);
    const gone = await nimbus(['versions', 'flow']);
    assert.equal(gone.code, 1);
    assert.deepEqual(lines(gone.stderr), ['nimbus: no such app: flow']);
    const invoke = await nimbus(['invoke', 'flow/echo', '--data', '{}']);
    assert.equal(invoke.code, 1);
    assert.deepEqual(lines(invoke.stderr), ['nimbus: no such app: flow']);
    const ls = JSON.parse((await nimbus(['ls', '--json'])).stdout) as { apps: { name: string }[] };
    assert.deepEqual(ls.apps.map((a) => a.name), ['other']);
  });
});
