import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { readdir, symlink } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { lines, runNimbus } from '../support/run-cli.js';
import { makeTempDir } from '../support/temp-app.js';

const REPO = fileURLToPath(new URL('../../../../', import.meta.url));
const own = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { name: string; dependencies: Record<string, string> };
/** What an app needs beside nimbus-functions, at the versions Nimbus is checked with. */
const TYPECHECK_DEPENDENCIES = { typescript: own.dependencies['typescript'], '@types/node': own.dependencies['@types/node'] };

describe('nimbus init', () => {
  test('makes DIR with index.ts, tsconfig.json, package.json and .gitignore, and prints the next steps', async (t) => {
    const cwd = await makeTempDir();
    t.after(() => cwd.remove());

    const run = await runNimbus(['init', 'My App'], { cwd: cwd.path });

    assert.equal(run.code, 0, run.stderr);
    const dir = join(cwd.path, 'My App');
    assert.deepEqual((await readdir(dir)).sort(), ['.gitignore', 'index.ts', 'package.json', 'tsconfig.json']);
    assert.deepEqual(JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')), {
      name: 'my-app',
      version: '0.1.0',
      private: true,
      type: 'module',
      scripts: { dev: 'nimbus dev .', deploy: 'nimbus deploy .', typecheck: 'tsc --noEmit' },
      // Not on the npm registry: run from a clone, init depends on the clone, which npm links.
      devDependencies: { 'nimbus-functions': `file:${relative(dir, REPO)}`, ...TYPECHECK_DEPENDENCIES },
    });
    const ignored = readFileSync(join(dir, '.gitignore'), 'utf8').split('\n');
    assert.ok(ignored.includes('.nimbus/') && ignored.includes('node_modules/'), ignored.join('|'));
    const source = readFileSync(join(dir, 'index.ts'), 'utf8');
    for (const trigger of ['http', 'queue', 'blob', 'timer']) assert.match(source, new RegExp(`export const \\w+ = ${trigger}(<\\w+>)?\\(`), `one ${trigger} function`);

    const out = lines(run.stdout);
    assert.equal(out[0], 'Created the app "my-app" in My App from the "all" template:');
    assert.deepEqual(out.slice(1, 5).map((l) => l.trim().split(/\s+/)[0]), ['index.ts', 'tsconfig.json', 'package.json', '.gitignore']);
    const next = out.slice(out.indexOf('Next:') + 1).map((l) => l.trim());
    assert.equal(next[0], "cd 'My App'", 'a folder name with a space is quoted');
    assert.equal(next[1], `npm install          # nimbus-functions from ${relative(dir, REPO)} (the nimbus command, the SDK and its types), typescript (tsc, for npm run typecheck), @types/node (Node's types)`);
    assert.match(next[2]!, /^npm run dev\b/);
    assert.ok(next.includes('curl http://127.0.0.1:8080/greet/ada'), next.join('\n'));
    assert.match(next.at(-1)!, /^npm run deploy\b/);
  });

  test('DIR defaults to the current folder, and <app> in the next steps is the app name', async (t) => {
    const cwd = await makeTempDir({}, 'nimbus-cli-reports-');
    t.after(() => cwd.remove());

    const run = await runNimbus(['init', '--template', 'cron-job'], { cwd: cwd.path });

    assert.equal(run.code, 0, run.stderr);
    assert.ok(existsSync(join(cwd.path, 'index.ts')));
    const out = lines(run.stdout);
    assert.match(out[0]!, /^Created the app "nimbus-cli-reports-\w+" in this folder from the "cron-job" template:$/);
    assert.ok(!out.some((l) => l.trim().startsWith('cd ')), 'no cd into the folder one is in');
    const name = /"(.+?)"/.exec(out[0]!)![1]!;
    assert.ok(out.some((l) => l.trim() === `npx nimbus timers run ${name}/report`), out.join('\n'));
  });

  test('every template writes its own index.ts', async (t) => {
    const cwd = await makeTempDir();
    t.after(() => cwd.remove());
    const sources = new Set<string>();
    for (const template of ['all', 'http-api', 'queue-worker', 'blob-processor', 'cron-job']) {
      const run = await runNimbus(['init', template, '-t', template], { cwd: cwd.path });
      assert.equal(run.code, 0, run.stderr);
      sources.add(readFileSync(join(cwd.path, template, 'index.ts'), 'utf8'));
    }
    assert.equal(sources.size, 5);
  });

  test('a folder with only what npm i -D and git init leave counts as empty; package.json keeps its dependency spec and gains the scripts', async (t) => {
    const cwd = await makeTempDir({
      'package.json': JSON.stringify({ devDependencies: { 'nimbus-functions': 'file:../nimbus-functions-0.1.0.tgz' }, scripts: { dev: 'my own dev' } }, null, 2),
      'package-lock.json': '{}',
      'node_modules/nimbus-functions/package.json': '{"name":"nimbus-functions"}',
      '.git/HEAD': 'ref: refs/heads/main\n',
    }, 'nimbus-cli-shop-');
    t.after(() => cwd.remove());

    const run = await runNimbus(['init'], { cwd: cwd.path });

    assert.equal(run.code, 0, run.stderr);
    const manifest = JSON.parse(readFileSync(join(cwd.path, 'package.json'), 'utf8')) as Record<string, unknown>;
    assert.deepEqual(manifest['devDependencies'], { 'nimbus-functions': 'file:../nimbus-functions-0.1.0.tgz', ...TYPECHECK_DEPENDENCIES });
    assert.deepEqual(manifest['scripts'], { dev: 'my own dev', deploy: 'nimbus deploy .', typecheck: 'tsc --noEmit' }, 'a script of the user is kept');
    assert.match(String(manifest['name']), /^nimbus-cli-shop-/);
    assert.equal(manifest['type'], 'module');
    assert.match(run.stdout, /^ {2}package\.json +\(updated\) /m);
    const install = lines(run.stdout).filter((l) => l.trim().startsWith('npm install'));
    assert.deepEqual(install, ["  npm install          # typescript (tsc, for npm run typecheck), @types/node (Node's types)"], 'nimbus-functions is installed already; what typecheck needs is not');
  });

  test('no npm install is printed when everything the app lists is installed (npm i -D of the tarball brings typescript along)', async (t) => {
    const cwd = await makeTempDir({
      'package.json': JSON.stringify({ devDependencies: { 'nimbus-functions': 'file:../nimbus-functions-0.1.0.tgz' } }),
      'node_modules/nimbus-functions/package.json': '{"name":"nimbus-functions"}',
      'node_modules/typescript/package.json': '{"name":"typescript"}',
      'node_modules/@types/node/package.json': '{"name":"@types/node"}',
    });
    t.after(() => cwd.remove());

    const run = await runNimbus(['init'], { cwd: cwd.path });

    assert.equal(run.code, 0, run.stderr);
    assert.ok(!lines(run.stdout).some((l) => l.trim().startsWith('npm install')), run.stdout);
  });

  test("the app's package.json provides every command its scripts run, and the types its tsconfig.json names", async (t) => {
    const cwd = await makeTempDir();
    t.after(() => cwd.remove());
    const run = await runNimbus(['init', 'app'], { cwd: cwd.path });
    assert.equal(run.code, 0, run.stderr);
    const dir = join(cwd.path, 'app');
    const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { scripts: Record<string, string>; devDependencies: Record<string, string> };

    // The spec npm install would follow leads back to this package.
    const spec = manifest.devDependencies['nimbus-functions']!;
    assert.match(spec, /^file:/);
    assert.equal((JSON.parse(readFileSync(join(resolve(dir, spec.slice('file:'.length)), 'package.json'), 'utf8')) as { name: string }).name, own.name);

    // npm puts each dependency's bin on the scripts' PATH; only the app's own dependencies are sure to be there.
    const require = createRequire(join(REPO, 'package.json'));
    const bins = new Set<string>();
    for (const name of Object.keys(manifest.devDependencies)) {
      const packageJson = name === own.name ? join(REPO, 'package.json') : require.resolve(`${name}/package.json`);
      const bin = (JSON.parse(readFileSync(packageJson, 'utf8')) as { bin?: Record<string, string> }).bin ?? {};
      for (const command of Object.keys(bin)) bins.add(command);
    }
    for (const [script, command] of Object.entries(manifest.scripts)) assert.ok(bins.has(command.split(' ')[0]!), `"${script}": ${command} comes with a devDependency`);
    const tsconfig = readFileSync(join(dir, 'tsconfig.json'), 'utf8');
    assert.match(tsconfig, /"types": \["node"\]/);
    assert.ok(manifest.devDependencies['@types/node'], "tsconfig.json's types: node come with @types/node");
  });

  test('refuses a folder that holds other files with exit 1 and one line; --force writes into it', async (t) => {
    const cwd = await makeTempDir({ 'app/index.ts': 'export const mine = 1;\n', 'app/.gitignore': 'dist/\n', 'app/notes.md': 'x' });
    t.after(() => cwd.remove());

    const refused = await runNimbus(['init', 'app'], { cwd: cwd.path });
    assert.equal(refused.code, 1);
    assert.equal(refused.stdout, '');
    assert.deepEqual(lines(refused.stderr), [
      `nimbus: ${join(cwd.path, 'app')} is not empty (.gitignore, index.ts, notes.md): choose a new folder, or pass --force to write the template's files into it`,
    ]);
    assert.equal(readFileSync(join(cwd.path, 'app/index.ts'), 'utf8'), 'export const mine = 1;\n', 'nothing was written');
    assert.ok(!existsSync(join(cwd.path, 'app/package.json')));

    const forced = await runNimbus(['init', 'app', '--force', '--template', 'http-api'], { cwd: cwd.path });
    assert.equal(forced.code, 0, forced.stderr);
    assert.match(readFileSync(join(cwd.path, 'app/index.ts'), 'utf8'), /export const createNote = http\(/);
    assert.equal(readFileSync(join(cwd.path, 'app/.gitignore'), 'utf8'), 'dist/\nnode_modules/\n.nimbus/\n', "the user's entries stay; the template's are added");
    assert.match(forced.stdout, /^ {2}index\.ts +\(replaced\) /m);
    assert.match(forced.stdout, /^ {2}\.gitignore +\(updated\) /m);
  });

  test('an unknown template, a DIR that is a file and bad JSON in package.json fail with exit 1 and one line', async (t) => {
    const cwd = await makeTempDir({ 'a-file': 'x', 'broken/package.json': '{ nope' });
    t.after(() => cwd.remove());

    const unknown = await runNimbus(['init', 'x', '--template', 'api'], { cwd: cwd.path });
    assert.equal(unknown.code, 1);
    assert.deepEqual(lines(unknown.stderr), ['nimbus: unknown template "api": choose one of all, http-api, queue-worker, blob-processor, cron-job (see "nimbus help init")']);
    assert.ok(!existsSync(join(cwd.path, 'x')), 'no folder was made');

    const file = await runNimbus(['init', 'a-file'], { cwd: cwd.path });
    assert.equal(file.code, 1);
    assert.deepEqual(lines(file.stderr), [`nimbus: ${join(cwd.path, 'a-file')} is not a folder`]);

    const broken = await runNimbus(['init', 'broken'], { cwd: cwd.path });
    assert.equal(broken.code, 1);
    assert.deepEqual(lines(broken.stderr), [`nimbus: ${join(cwd.path, 'broken/package.json')} is not a JSON object: fix or remove it, then run init again`]);
  });

  test("refuses Nimbus's own folder (the clone it runs from), also through a link, with exit 1 and one line", async (t) => {
    const cwd = await makeTempDir();
    t.after(() => cwd.remove());
    await symlink(REPO, join(cwd.path, 'clone'));
    const manifest = readFileSync(join(REPO, 'package.json'), 'utf8');
    const advice = "is Nimbus's own folder, which this command runs from: make the app in a folder of its own (nimbus init ../my-app makes one beside it)";

    // Never with --force: should the refusal ever go, the not-empty check still keeps this checkout as it is.
    const here = await runNimbus(['init'], { cwd: REPO });
    assert.equal(here.code, 1);
    assert.equal(here.stdout, '');
    assert.deepEqual(lines(here.stderr), [`nimbus: ${resolve(REPO)} ${advice}`], 'not "not empty": --force would not help');

    const linked = await runNimbus(['init', 'clone', '-t', 'http-api'], { cwd: cwd.path });
    assert.equal(linked.code, 1);
    assert.deepEqual(lines(linked.stderr), [`nimbus: ${join(cwd.path, 'clone')} ${advice}`]);
    assert.equal(readFileSync(join(REPO, 'package.json'), 'utf8'), manifest, 'no dependency on itself (file:.) was written');
  });

  test('init --help lists the templates', async (t) => {
    const cwd = await makeTempDir();
    t.after(() => cwd.remove());

    const run = await runNimbus(['init', '--help'], { cwd: cwd.path });

    assert.equal(run.code, 0, run.stderr);
    for (const name of ['all', 'http-api', 'queue-worker', 'blob-processor', 'cron-job']) assert.match(run.stdout, new RegExp(`^ +${name} +\\S`, 'm'));
  });
});
