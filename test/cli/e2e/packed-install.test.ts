import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LongRunningCommand, runCommand, userEnvironment, type CommandRun } from '../../helpers/user-commands.js';
import { makeTempDir } from '../support/temp-app.js';
import { TOOK } from '../support/run-cli.js';

// Nimbus as a user outside this repository gets it: the package packed as npm would publish it,
// installed into a scratch app in the OS temp folder, then `npx nimbus init`, the app's own
// type check with the installed TypeScript, a node started from the installed package, a deploy
// and calls to the deployed function.

const REPO = fileURLToPath(new URL('../../../../', import.meta.url));
/** Installs from the registry (about 5 s here; more on a loaded machine or a slow mirror). */
const INSTALL_LIMIT_MS = 400_000;
const STEP_LIMIT_MS = 60_000;
/** What npm prints when it cannot reach the registry, or the registry fails it (5xx, a cut-off download), as opposed to a broken package. */
const UNREACHABLE = /\b(ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENETUNREACH|EHOSTUNREACH|E5\d\d|EINTEGRITY)\b|network (request|connectivity)|request to \S+ failed|Invalid response body/;
const MUST_SHIP = ['bin/nimbus.js', 'dist/cli/nimbus.mjs', 'bin/cli-entry.js', 'dist/src/cli/bundle/typecheck-worker.js', 'dist/src/sdk/index.js', 'dist/src/sdk/index.d.ts', 'dist/src/sdk/client/index.d.ts', 'dist/instance.mjs', 'dist/instance-warmup.mjs', 'templates/all/index.ts', 'templates/common/gitignore', 'package.json'];

interface PackResult {
  filename: string;
  files: { path: string }[];
  size: number;
}

// The install downloads from the registry: bounded, but more loosely than one test usually is.
test('npm pack, npm i -D into a scratch app, npx nimbus init, type check, start, deploy and invoke', { timeout: 600_000, skip: npmMissing() }, async (t) => {
  const work = await makeTempDir({}, 'nimbus-user-');
  t.after(() => work.remove());
  const env = userEnvironment();
  const timings: [string, number][] = [];
  const step = async (what: string, command: string, args: readonly string[], cwd: string, extraEnv: Record<string, string> = {}, timeoutMs = STEP_LIMIT_MS): Promise<CommandRun> => {
    const run = await runCommand(command, args, { cwd, env: { ...env, ...extraEnv }, timeoutMs });
    timings.push([what, run.ms]);
    return run;
  };
  t.after(() => t.diagnostic(timings.map(([what, ms]) => `${what}: ${(ms / 1000).toFixed(1)} s`).join('; ')));

  // --ignore-scripts: dist/ is built already, and prepack's rebuild would rewrite it under the other running tests.
  const pack = await step('pack', 'npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work.path], REPO);
  assert.equal(pack.code, 0, pack.stderr);
  const [packed] = JSON.parse(pack.stdout) as PackResult[];
  const shipped = new Set(packed!.files.map((f) => f.path));
  for (const path of MUST_SHIP) assert.ok(shipped.has(path), `the package has ${path}`);
  const extra = [...shipped].filter((p) => /^(src|test|bench|scripts|examples|docs)\//.test(p) || p.startsWith('dist/test/') || p.startsWith('dist/bench/') || /\.js\.map$/.test(p) && p.startsWith('dist/src/'));
  assert.deepEqual(extra, [], 'sources, tests and their maps stay out of the package');
  t.diagnostic(`package: ${shipped.size} files, ${(packed!.size / 1024).toFixed(0)} KiB packed`);

  const app = join(work.path, 'greeter');
  const tarball = join(work.path, packed!.filename);
  await mkdir(app);
  const install = await step('npm install', 'npm', ['install', '-D', '--prefer-offline', '--no-audit', '--no-fund', '--fetch-timeout=30000', '--fetch-retries=3', tarball], app, {}, INSTALL_LIMIT_MS);
  if (install.code !== 0 && UNREACHABLE.test(install.stderr)) {
    t.skip(`the npm registry is unreachable, so the package's dependencies cannot be installed: ${UNREACHABLE.exec(install.stderr)![0]}`);
    return;
  }
  assert.equal(install.code, 0, `npm install:\n${install.stdout}${install.stderr}`);

  const init = await step('npx nimbus init', 'npx', ['--no', 'nimbus', 'init'], app);
  assert.equal(init.code, 0, init.stderr);
  assert.match(init.stdout, /^Created the app "greeter" in this folder from the "all" template:$/m);
  const manifest = JSON.parse(readFileSync(join(app, 'package.json'), 'utf8')) as { devDependencies: Record<string, string>; scripts: Record<string, string> };
  assert.match(manifest.devDependencies['nimbus-functions']!, /^file:.*nimbus-functions-.*\.tgz$/, 'the installed tarball stays the dependency');
  assert.deepEqual(Object.keys(manifest.scripts).sort(), ['deploy', 'dev', 'typecheck']);

  // The editor's view: both entry points resolve to typed declarations (a wrong call is an error, not `any`).
  writeFileSync(join(app, 'client.ts'), `import { NimbusClient } from 'nimbus-functions/client';\nexport const client: NimbusClient = new NimbusClient({ url: 'http://127.0.0.1:8080' });\n`);
  const typecheck = await step('npm run typecheck', 'npm', ['run', 'typecheck'], app);
  assert.equal(typecheck.code, 0, `npm run typecheck:\n${typecheck.stdout}${typecheck.stderr}`);
  writeFileSync(join(app, 'wrong.ts'), `import { http } from 'nimbus-functions';\nexport const wrong = http({ route: 42 }, () => null);\n`);
  const caught = await step('npm run typecheck (a type error)', 'npm', ['run', 'typecheck'], app);
  assert.notEqual(caught.code, 0);
  assert.match(caught.stdout, /wrong\.ts\(2,\d+\): error TS2322/);
  rmSync(join(app, 'wrong.ts'));

  const node = new LongRunningCommand('npx', ['--no', 'nimbus', 'start', '--port', '0', '--data', '.nimbus'], { cwd: app, env: { ...env, NIMBUS_LOG_LEVEL: 'warn' } });
  t.after(() => node.kill());
  const [, url] = await node.waitForStdout(/is running at (http:\/\/\S+)/);
  await node.waitForStdout(/Press Ctrl\+C to stop\./);
  // The key is in ./.nimbus/admin-key, where `nimbus start` left it; only the URL is not the default one.
  const atNode = { NIMBUS_URL: url! };

  const deploy = await step('npm run deploy', 'npm', ['run', 'deploy'], app, atNode);
  assert.equal(deploy.code, 0, `npm run deploy:\n${deploy.stdout}${deploy.stderr}`);
  assert.match(deploy.stdout, new RegExp(`^Deployed greeter v1 in ${TOOK}$`, 'm'));
  assert.match(deploy.stdout, new RegExp(`greet\\s+http\\s+GET /greet/:name\\s+${url}/greet/:name$`, 'm'));

  const answer = await fetch(`${url}/greet/ada`);
  assert.equal(answer.status, 200);
  assert.deepEqual(await answer.json(), { hello: 'ada' });
  const invoke = await step('npx nimbus invoke', 'npx', ['--no', 'nimbus', 'invoke', 'greeter/greet', '--json'], app, atNode);
  assert.equal(invoke.code, 0, invoke.stderr);
  assert.deepEqual((JSON.parse(invoke.stdout) as { body: unknown }).body, { hello: 'world' });
  const withPath = await step('npx nimbus invoke --path', 'npx', ['--no', 'nimbus', 'invoke', 'greeter/greet', '--path', '/ada'], app, atNode);
  assert.equal(withPath.code, 0, withPath.stderr);
  assert.match(withPath.stdout, /^HTTP\/1\.1 200 OK\r?\n/);
  assert.match(withPath.stdout, /\{"hello":"ada"\}\s*$/);

  // npx itself ends by the SIGINT it got (a shell shows 130); the node inside stops cleanly.
  const ended = await node.interrupt();
  assert.ok(ended.code === 0 || ended.signal === 'SIGINT', `${JSON.stringify(ended)}\n${node.transcript()}`);
  assert.match(node.stdout, /^SIGINT: stopping…\nStopped\.$/m);
});

function npmMissing(): string | false {
  const found = spawnSync('npm', ['--version'], { encoding: 'utf8' });
  return found.status === 0 ? false : 'npm is not installed: the package cannot be packed and installed';
}
