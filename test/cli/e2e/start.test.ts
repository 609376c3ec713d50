import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { connect, createServer, type AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { eventually, nimbusAt, NimbusProcess } from '../support/nimbus-process.js';
import { lines, runNimbus, TOOK } from '../support/run-cli.js';
import { makeTempDir } from '../support/temp-app.js';
import { freePort } from '../../helpers/free-port.js';

// `nimbus start` as its users run it: a real process, a real node, a real data folder.

const REPO = fileURLToPath(new URL('../../../../', import.meta.url));
const KEY_LINE = /^Admin key \(shown once, saved to (.+)\): (\S+)$/m;

describe('nimbus start', () => {
  test('serves the example, prints the URL and a generated admin key once, and not again over the same data folder', async (t) => {
    const data = await makeTempDir();
    t.after(() => data.remove());

    const first = new NimbusProcess(['start', '--port', '0', '--data', data.path, '--example', 'examples/hello'], { cwd: REPO });
    t.after(() => first.kill());
    const url = await first.url();
    await first.waitForStdout(/Press Ctrl\+C to stop\./);
    const [, keyFile, key] = KEY_LINE.exec(first.stdout)!;
    assert.equal(keyFile, join(data.path, 'admin-key'));
    assert.equal(readFileSync(keyFile!, 'utf8').trim(), key);
    assert.equal(first.stdout.split(key!).length - 1, 1, 'the key is printed exactly once');
    assert.match(first.stdout, new RegExp(`^Deployed hello v1 in ${TOOK}$`, 'm'));

    const answer = await fetch(`${url}/hello/world`);
    assert.equal(answer.status, 200);
    const body = (await answer.json()) as { hello: string; id: string };
    assert.equal(body.hello, 'world');
    assert.equal(typeof body.id, 'string');
    // The README's next step, `nimbus logs hello`, shows the request.
    const logs = await eventually('the request in the logs', async () => {
      const run = await nimbusAt(url, key!, data.path)(['logs', 'hello']);
      return run.stdout === '' ? undefined : run;
    });
    assert.match(logs.stdout, new RegExp(`^\\d\\d:\\d\\d:\\d\\d hello \\[${body.id.slice(-8)}\\] info  said hello to world$`, 'm'));
    // The id in [ ] picks that request's lines back out, among another's.
    const other = (await (await fetch(`${url}/hello/moon`)).json()) as { id: string };
    const nimbus = nimbusAt(url, key!, data.path);
    await eventually('the second request in the logs', async () => (await nimbus(['logs', 'hello'])).stdout.includes('said hello to moon'));
    const picked = await nimbus(['logs', 'hello', '--invocation', body.id.slice(-8)]);
    assert.equal(picked.code, 0, picked.stderr);
    assert.match(picked.stdout, new RegExp(`^\\d\\d:\\d\\d:\\d\\d hello \\[${body.id.slice(-8)}\\] info  said hello to world\\n$`));
    assert.equal(picked.stderr, '');
    assert.match((await nimbus(['logs', 'hello/hello', '--invocation', other.id])).stdout, /^\d\d:\d\d:\d\d hello \[\w{8}\] info  said hello to moon\n$/, 'the whole id');
    const tooShort = await nimbus(['logs', 'hello', '--invocation', body.id.slice(-4)]);
    assert.equal(tooShort.code, 1);
    assert.deepEqual(lines(tooShort.stderr), [
      `nimbus: a query parameter is not valid: invocation: "${body.id.slice(-4)}" is too short: give the whole invocation id or at least its last 8 characters`,
    ]);
    assert.deepEqual(await first.stop(), { code: 0, signal: null });

    const second = new NimbusProcess(['start', '--port', '0', '--data', data.path, '--example', 'examples/hello'], { cwd: REPO });
    t.after(() => second.kill());
    const secondUrl = await second.url();
    await second.waitForStdout(/Press Ctrl\+C to stop\./);
    assert.doesNotMatch(second.stdout, /^Admin key \(/m);
    assert.match(second.stdout, /^Admin key: in .*admin-key$/m);
    assert.ok(!second.stdout.includes(key!), 'an existing key is never printed');
    assert.match(second.stdout, /^hello: unchanged, version 1 stays live$/m, 'the same example again makes no new version');
    // The app deployed by the first start is still there, and the saved key still opens the admin API.
    assert.equal((await fetch(`${secondUrl}/hello/again`)).status, 200);
    const ls = await nimbusAt(secondUrl, key!, data.path)(['ls', '--json']);
    assert.equal(ls.code, 0, ls.stderr);
    assert.deepEqual((JSON.parse(ls.stdout) as { apps: { name: string }[] }).apps.map((a) => a.name), ['hello']);
    assert.deepEqual(await second.stop('SIGINT'), { code: 0, signal: null });
  });

  test('NIMBUS_HOST, NIMBUS_PORT and NIMBUS_DATA stand in for the flags', async (t) => {
    const cwd = await makeTempDir();
    t.after(() => cwd.remove());
    const port = await freePort();

    const node = new NimbusProcess(['start'], { cwd: cwd.path, env: { NIMBUS_HOST: '127.0.0.1', NIMBUS_PORT: String(port), NIMBUS_DATA: 'state' } });
    t.after(() => node.kill());
    assert.equal(await node.url(), `http://127.0.0.1:${port}`);
    await node.waitForStdout(/Press Ctrl\+C to stop\./);
    const [, keyFile, key] = KEY_LINE.exec(node.stdout)!;
    assert.equal(keyFile, join(cwd.path, 'state', 'admin-key'));

    // A command run in the same folder with the same NIMBUS_DATA finds the key file by itself.
    const ls = await runNimbus(['ls'], { cwd: cwd.path, env: { NIMBUS_URL: `http://127.0.0.1:${port}`, NIMBUS_DATA: 'state' } });
    assert.equal(ls.code, 0, ls.stderr);
    assert.match(ls.stdout, /No apps deployed/);
    assert.ok(key);
    assert.deepEqual(await node.stop(), { code: 0, signal: null });
  });

  test('SIGTERM lets a request in flight finish with 200, refuses new connections, and exits 0', async (t) => {
    const data = await makeTempDir();
    const probe = await startProbe();
    const app = await makeTempDir({
      'index.ts': `import { http } from 'nimbus-functions';
export const slow = http({ route: 'GET /slow', timeoutMs: 60_000 }, async () => {
  await fetch('${probe.url}/started');
  const released = await fetch('${probe.url}/release');
  return new Response('finished after ' + (await released.text()));
});
`,
    });
    t.after(() => Promise.all([data.remove(), app.remove(), probe.close()]));

    const node = new NimbusProcess(['start', '--port', '0', '--data', data.path], { cwd: data.path });
    t.after(() => node.kill());
    const url = await node.url();
    await node.waitForStdout(/Press Ctrl\+C to stop\./);
    const [, , key] = KEY_LINE.exec(node.stdout)!;
    const deploy = await nimbusAt(url, key!, app.path)(['deploy', app.path, '--app', 'slow']);
    assert.equal(deploy.code, 0, deploy.stderr);

    const inFlight = fetch(`${url}/slow`).then(async (r) => ({ status: r.status, body: await r.text() }));
    await probe.started;
    node.child.kill('SIGTERM');
    await node.waitForStdout(/SIGTERM: stopping/);
    await eventually('new connections to be refused', async () => (await tryConnect(new URL(url))) === 'ECONNREFUSED');
    assert.ok(node.running, 'the node waits for the request in flight');

    probe.release('release');
    assert.deepEqual(await inFlight, { status: 200, body: 'finished after release' });
    assert.deepEqual(await node.exited(), { code: 0, signal: null });
    assert.match(node.stdout, /^Stopped\.$/m);
  });

  test('a bad option fails with exit 1 and one line', async (t) => {
    const cwd = await makeTempDir();
    t.after(() => cwd.remove());

    const run = await runNimbus(['start', '--port', 'abc'], { cwd: cwd.path });

    assert.equal(run.code, 1);
    assert.equal(run.stdout, '');
    assert.deepEqual(lines(run.stderr), ['nimbus: port must be a number from 0 to 65535, not "abc" (see "nimbus help start")']);
  });

  test('a port already in use fails with exit 1 and one line naming it', async (t) => {
    const data = await makeTempDir();
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const { port } = taken.address() as AddressInfo;
    t.after(() => Promise.all([data.remove(), new Promise((resolve) => taken.close(resolve))]));

    const run = await runNimbus(['start', '--port', String(port), '--data', data.path], { cwd: data.path, env: { NIMBUS_LOG_LEVEL: 'silent' } });

    assert.equal(run.code, 1);
    assert.deepEqual(lines(run.stderr), [`nimbus: cannot listen on 127.0.0.1:${port}: the port is already in use (choose another with --port)`]);
  });

  test('a second node on a running node\'s data folder (nimbus dev beside nimbus start) fails with exit 1 and one line naming the first', async (t) => {
    const data = await makeTempDir();
    const first = new NimbusProcess(['start', '--port', '0', '--data', data.path], { cwd: data.path, env: { NIMBUS_LOG_LEVEL: 'silent' } });
    t.after(async () => {
      first.kill();
      await data.remove();
    });
    const url = await first.url();
    await first.waitForStdout(/Press Ctrl\+C to stop\./);

    const run = await runNimbus(['start', '--port', '0', '--data', data.path], { cwd: data.path, env: { NIMBUS_LOG_LEVEL: 'silent' } });

    assert.equal(run.code, 1);
    assert.deepEqual(lines(run.stderr), [
      `nimbus: the data folder ${data.path} is in use by another Nimbus node (${url}): stop it, or give this one a folder of its own (--data)`,
    ]);
    assert.equal((await fetch(`${url}/_nimbus/health`)).status, 200, 'the first node goes on');
    assert.deepEqual(await first.stop(), { code: 0, signal: null });
  });

  test('a data folder that cannot be used fails with exit 1 and one line naming it', async (t) => {
    const cwd = await makeTempDir({ 'not-a-folder': 'x' });
    t.after(() => cwd.remove());

    const run = await runNimbus(['start', '--port', '0', '--data', 'not-a-folder'], { cwd: cwd.path, env: { NIMBUS_LOG_LEVEL: 'silent' } });

    assert.equal(run.code, 1);
    const err = lines(run.stderr);
    assert.equal(err.length, 1, run.stderr);
    assert.match(err[0]!, new RegExp(`^nimbus: cannot use the data folder ${join(cwd.path, 'not-a-folder')}: ENOTDIR`));
  });
});

/** Opens (and closes) a fresh TCP connection: 'connected', or the error code. */
function tryConnect(url: URL): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(Number(url.port), url.hostname);
    socket.once('connect', () => {
      socket.destroy();
      resolve('connected');
    });
    socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
  });
}

/**
 * A server the slow function calls: `/started` tells the test the request is in
 * flight; `/release` holds the function until the test lets it go.
 */
async function startProbe(): Promise<{ url: string; started: Promise<void>; release(text: string): void; close(): Promise<void> }> {
  let markStarted!: () => void;
  const started = new Promise<void>((resolve) => (markStarted = resolve));
  const held: ServerResponse[] = [];
  let released: string | undefined;
  const server = createHttpServer((req: IncomingMessage, res: ServerResponse) => {
    if (req.url === '/started') {
      markStarted();
      res.end('ok');
    } else if (released !== undefined) {
      res.end(released);
    } else {
      held.push(res);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    started,
    release(text) {
      released = text;
      held.splice(0).forEach((res) => res.end(text));
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
