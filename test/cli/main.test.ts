import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { lines, runNimbus } from './support/run-cli.js';
import { makeTempDir } from './support/temp-app.js';
import { freePort } from '../helpers/free-port.js';

test('when no node answers, the CLI says so on one line and exits 1', async (t) => {
  const cwd = await makeTempDir();
  t.after(() => cwd.remove());
  const url = `http://127.0.0.1:${await freePort()}`;

  const run = await runNimbus(['ls', '--url', url, '--key', 'k'], { cwd: cwd.path });

  assert.equal(run.code, 1);
  assert.equal(run.stdout, '');
  assert.deepEqual(lines(run.stderr), [`nimbus: cannot reach Nimbus at ${url}: is it running? (ECONNREFUSED)`]);
});

test('without --key, NIMBUS_ADMIN_KEY or a key file, the CLI says where it looked', async (t) => {
  const cwd = await makeTempDir();
  t.after(() => cwd.remove());

  const run = await runNimbus(['ls'], { cwd: cwd.path, env: { NIMBUS_DATA: 'state' } });

  assert.equal(run.code, 1);
  assert.deepEqual(lines(run.stderr), [`nimbus: no admin key: pass --key or set NIMBUS_ADMIN_KEY (no key file at ${cwd.path}/state/admin-key)`]);
});

test('bad usage exits 1 with one line pointing to help', async (t) => {
  const cwd = await makeTempDir();
  t.after(() => cwd.remove());
  const cases: [string[], string][] = [
    [['launch'], 'nimbus: unknown command "launch" (see "nimbus help")'],
    [['ls', '--colour'], 'nimbus: unknown option "--colour" (see "nimbus help ls")'],
    [['rm'], 'nimbus: missing APP; usage: nimbus rm APP (see "nimbus help rm")'],
    [['rm', 'a', 'b'], 'nimbus: unexpected argument "b"; usage: nimbus rm APP (see "nimbus help rm")'],
    [['ls', '--url'], 'nimbus: option --url needs a value (see "nimbus help ls")'],
    [['ls', '--json=yes'], 'nimbus: option --json takes no value (see "nimbus help ls")'],
    [['invoke', 'a/b', '--data', '--json'], 'nimbus: option --data needs a value (for a value that starts with "-", write --data=-VALUE) (see "nimbus help invoke")'],
    [['rollback', 'shop', '--to', 'latest'], 'nimbus: --to takes a version number such as 3, not "latest" (see "nimbus help rollback")'],
    [['start', '--port', 'http'], 'nimbus: port must be a number from 0 to 65535, not "http" (see "nimbus help start")'],
    [['--key', 'k'], 'nimbus: no command given (see "nimbus help")'],
  ];
  for (const [args, expected] of cases) {
    const run = await runNimbus(args, { cwd: cwd.path, env: { NIMBUS_ADMIN_KEY: 'k' } });
    assert.equal(run.code, 1, args.join(' '));
    assert.deepEqual(lines(run.stderr), [expected]);
  }
});

test('nimbus help lists every command; nimbus <command> --help shows its synopsis', async (t) => {
  const cwd = await makeTempDir();
  t.after(() => cwd.remove());

  const overview = await runNimbus(['help'], { cwd: cwd.path });
  assert.equal(overview.code, 0);
  for (const name of ['start', 'dev', 'deploy', 'ls', 'invoke', 'versions', 'rollback', 'rm']) {
    assert.match(overview.stdout, new RegExp(`^  ${name} +\\S`, 'm'), `${name} is listed`);
  }

  const deployHelp = await runNimbus(['deploy', '--help'], { cwd: cwd.path });
  assert.equal(deployHelp.code, 0);
  assert.match(deployHelp.stdout, /^Usage: nimbus deploy DIR /);
  assert.match(deployHelp.stdout, /--no-typecheck/);
  assert.equal((await runNimbus(['help', 'deploy'], { cwd: cwd.path })).stdout, deployHelp.stdout);
});

test('global options may come before the command', async (t) => {
  const cwd = await makeTempDir();
  t.after(() => cwd.remove());
  const url = `http://127.0.0.1:${await freePort()}`;

  const run = await runNimbus(['--url', url, '--key', 'k', 'ls'], { cwd: cwd.path });

  assert.deepEqual(lines(run.stderr), [`nimbus: cannot reach Nimbus at ${url}: is it running? (ECONNREFUSED)`]);
});

test('nimbus --version, -v and version print the package version', async (t) => {
  const cwd = await makeTempDir();
  t.after(() => cwd.remove());
  const { version } = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
  for (const args of [['--version'], ['-v'], ['version']]) {
    const run = await runNimbus(args, { cwd: cwd.path });
    assert.equal(run.code, 0, args[0]);
    assert.equal(run.stdout, `${version}\n`);
  }
});

test('a mistyped command, subcommand or flag gets the closest name, on one line', async (t) => {
  const cwd = await makeTempDir();
  t.after(() => cwd.remove());
  const cases: [string[], string][] = [
    [['dpeloy', 'app'], 'nimbus: unknown command "dpeloy"; did you mean "deploy"? (see "nimbus help")'],
    [['help', 'invok'], 'nimbus: unknown command "invok"; did you mean "invoke"? (see "nimbus help")'],
    [['invoke', 'shop/x', '--mehtod', 'GET'], 'nimbus: unknown option "--mehtod"; did you mean "--method"? (see "nimbus help invoke")'],
    [['queue', 'pek', 'orders'], 'nimbus: unknown subcommand "queue pek"; did you mean "queue peek"? (see "nimbus help queue")'],
    // Nothing close: no guess.
    [['xyzzy'], 'nimbus: unknown command "xyzzy" (see "nimbus help")'],
    [['ls', '--frobnicate'], 'nimbus: unknown option "--frobnicate" (see "nimbus help ls")'],
  ];
  for (const [args, expected] of cases) {
    const run = await runNimbus(args, { cwd: cwd.path, env: { NIMBUS_ADMIN_KEY: 'k' } });
    assert.equal(run.code, 1, args.join(' '));
    assert.deepEqual(lines(run.stderr), [expected]);
  }
});
