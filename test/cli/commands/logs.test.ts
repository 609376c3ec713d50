import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startStandInAdmin, type Answer, type RecordedRequest } from '../support/stand-in-admin.js';
import { lines, runNimbus } from '../support/run-cli.js';
import { spawnNimbus } from '../support/spawn-cli.js';
import { makeTempDir } from '../support/temp-app.js';
import { waitFor } from '../support/in-process.js';

async function setUp(t: { after(fn: () => Promise<unknown>): void }, answer: (req: RecordedRequest) => Answer) {
  const admin = await startStandInAdmin(answer);
  const cwd = await makeTempDir();
  t.after(() => Promise.all([admin.close(), cwd.remove()]));
  return { admin, cwd, env: { NIMBUS_URL: admin.url, NIMBUS_ADMIN_KEY: 'k', TZ: 'UTC' } };
}

const line = (seq: number, message: string, extra: Partial<{ invocationId: string | null; level: string; functionName: string }> = {}) => ({
  seq, app: 'shop', functionName: 'checkout', version: 3, invocationId: '0f3a9c21-77aa-4b1e-9d0c-5c1f0e2b7a10', instanceId: 'i1',
  stream: 'stdout', level: 'info', time: Date.UTC(2026, 0, 2, 13, 4, 5), message, ...extra,
});

test('logs prints HH:MM:SS function [invocation] level message; options become the query; --json as returned', async (t) => {
  const LINES = [line(1, 'charging card\n'), line(2, 'card declined', { level: 'error' }), line(3, 'module loaded', { invocationId: null, level: 'warn' })];
  const { admin, cwd, env } = await setUp(t, () => ({ status: 200, body: { lines: LINES } }));

  const run = await runNimbus(['logs', 'shop/checkout', '--since', '10m', '--invocation', 'abc', '--limit', '50'], { cwd: cwd.path, env });
  assert.equal(run.code, 0, run.stderr);
  assert.equal(admin.requests[0]!.path, '/_nimbus/api/v1/apps/shop/logs?fn=checkout&since=10m&invocation=abc&limit=50');
  assert.deepEqual(lines(run.stdout), [
    '13:04:05 checkout [0e2b7a10] info  charging card',
    '13:04:05 checkout [0e2b7a10] error card declined',
    '13:04:05 checkout [--------] warn  module loaded',
  ]);

  const json = await runNimbus(['logs', 'shop', '--json'], { cwd: cwd.path, env });
  assert.equal(admin.requests[1]!.path, '/_nimbus/api/v1/apps/shop/logs');
  assert.deepEqual(JSON.parse(json.stdout), { lines: LINES });
});

test('logs --invocation with the end of an id that two invocations share prints both, and says so on stderr with their ids', async (t) => {
  const [one, two] = ['0193a1b2-c3d4-7e5f-8a6b-1c2d0e2b7a10', '0193a1b2-c3d5-7e5f-9a6b-99990e2b7a10'];
  const LINES = [line(1, 'first', { invocationId: one }), line(2, 'second', { invocationId: two })];
  const { admin, cwd, env } = await setUp(t, () => ({ status: 200, body: { lines: LINES } }));

  const run = await runNimbus(['logs', 'shop', '--invocation', '0e2b7a10'], { cwd: cwd.path, env });
  assert.equal(run.code, 0, run.stderr);
  assert.equal(admin.requests[0]!.path, '/_nimbus/api/v1/apps/shop/logs?invocation=0e2b7a10');
  assert.deepEqual(lines(run.stdout), ['13:04:05 checkout [0e2b7a10] info  first', '13:04:05 checkout [0e2b7a10] info  second']);
  assert.deepEqual(lines(run.stderr), [`note: the lines are of 2 invocations whose ids end with 0e2b7a10 (${one}, ${two}); give more of the id to see one`]);

  const json = await runNimbus(['logs', 'shop', '--invocation', '0e2b7a10', '--json'], { cwd: cwd.path, env });
  assert.equal(json.stderr, '', '--json prints the ids already');
});

test('logs of an unknown app exits 1 with one line; a bad target is a usage error', async (t) => {
  const { admin, cwd, env } = await setUp(t, () => ({ status: 404, body: { error: { code: 'NIMBUS_ERR_APP_NOT_FOUND', message: 'no such app: ghost' } } }));

  const missing = await runNimbus(['logs', 'ghost'], { cwd: cwd.path, env });
  assert.equal(missing.code, 1);
  assert.deepEqual(lines(missing.stderr), ['nimbus: no such app: ghost']);

  const bad = await runNimbus(['logs', 'shop/a/b'], { cwd: cwd.path, env });
  assert.equal(bad.code, 1);
  assert.deepEqual(lines(bad.stderr), ['nimbus: expected APP or APP/FUNCTION, got "shop/a/b" (see "nimbus help logs")']);
  assert.equal(admin.requests.length, 1);
});

test('logs with no lines prints nothing on stdout and says so in one line on stderr; --json stays as returned', async (t) => {
  const { cwd, env } = await setUp(t, () => ({ status: 200, body: { lines: [] } }));
  const hints: [string[], string][] = [
    [['logs', 'hello'], 'no log lines for hello yet'],
    [['logs', 'hello', '--since', '10m'], 'no log lines for hello in the last 10m'],
    [['logs', 'hello/hello', '--since', '2026-01-31', '--invocation', 'abc'], 'no log lines for hello/hello from invocation abc since 2026-01-31'],
  ];
  for (const [args, hint] of hints) {
    const run = await runNimbus(args, { cwd: cwd.path, env });
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, '', 'stdout stays empty for scripts');
    assert.deepEqual(lines(run.stderr), [hint]);
  }

  const json = await runNimbus(['logs', 'hello', '--json'], { cwd: cwd.path, env });
  assert.deepEqual(JSON.parse(json.stdout), { lines: [] });
  assert.equal(json.stderr, '', '{lines: []} says it already');
});

interface SseStandIn {
  url: string;
  requests: { path: string; headers: IncomingHttpHeaders }[];
  /** The open event streams. */
  streams: ServerResponse[];
  push(data: unknown): void;
  close(): Promise<void>;
}

/**
 * Answers every follow request with an event stream that stays open; `push` sends one event to each.
 * A request without follow=1 (the CLI's look for recent lines) gets `{lines: recent}`.
 */
async function startSseStandIn(recent: unknown[] = []): Promise<SseStandIn> {
  const requests: SseStandIn['requests'] = [];
  const streams: ServerResponse[] = [];
  let seq = 0;
  const server = createServer((req, res) => {
    requests.push({ path: req.url ?? '', headers: req.headers });
    if (!(req.url ?? '').includes('follow=1')) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ lines: recent }));
      return;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' });
    res.write(': tailing logs\n\n');
    streams.push(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    streams,
    // Split across writes on purpose: the client must put events back together.
    push(data) {
      const text = `id: ${++seq}\ndata: ${JSON.stringify(data)}\n\n`;
      for (const res of streams) {
        res.write(text.slice(0, 10));
        res.write(text.slice(10));
      }
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

test('logs -f prints lines as the node streams them and exits 0 on SIGINT', async (t) => {
  const sse = await startSseStandIn([line(1, 'first')]);
  const cwd = await makeTempDir();
  t.after(() => Promise.all([sse.close(), cwd.remove()]));

  const cli = spawnNimbus(['logs', 'shop/checkout', '-f', '--since', '5m'], { cwd: cwd.path, env: { NIMBUS_URL: sse.url, NIMBUS_ADMIN_KEY: 'k', TZ: 'UTC' } });
  await waitFor('the CLI to connect', () => sse.streams.length === 1);
  assert.equal(sse.requests[0]!.path, '/_nimbus/api/v1/apps/shop/logs?fn=checkout&since=5m&limit=1', 'is there any line yet');
  assert.equal(sse.requests[1]!.path, '/_nimbus/api/v1/apps/shop/logs?fn=checkout&since=5m&follow=1');
  assert.equal(sse.requests[1]!.headers.authorization, 'Bearer k');
  assert.equal(sse.requests[1]!.headers.accept, 'text/event-stream');

  sse.push(line(1, 'first'));
  sse.streams[0]!.write(': heartbeat\n\n');
  sse.push(line(2, 'second', { level: 'warn' }));
  await waitFor('both lines printed', () => lines(cli.output().stdout).length === 2);
  cli.child.kill('SIGINT');
  const done = await cli.exited;

  assert.equal(done.code, 0, done.stderr);
  assert.equal(done.stderr, '');
  assert.deepEqual(lines(done.stdout.toString('utf8')), ['13:04:05 checkout [0e2b7a10] info  first', '13:04:05 checkout [0e2b7a10] warn  second']);
});

test('logs -f with no lines yet says so on stderr, then prints the lines as they come', async (t) => {
  const sse = await startSseStandIn([]);
  const cwd = await makeTempDir();
  t.after(() => Promise.all([sse.close(), cwd.remove()]));

  const cli = spawnNimbus(['logs', 'hello', '-f'], { cwd: cwd.path, env: { NIMBUS_URL: sse.url, NIMBUS_ADMIN_KEY: 'k', TZ: 'UTC' } });
  await waitFor('the CLI to connect', () => sse.streams.length === 1);
  await waitFor('the hint', () => cli.output().stderr.includes('\n'));
  assert.deepEqual(lines(cli.output().stderr), ['no log lines yet for hello; following…']);
  assert.equal(cli.output().stdout, '');
  sse.push(line(1, 'first'));
  await waitFor('the line printed', () => lines(cli.output().stdout).length === 1);
  cli.child.kill('SIGINT');
  const done = await cli.exited;

  assert.equal(done.code, 0, done.stderr);
  assert.deepEqual(lines(done.stderr), ['no log lines yet for hello; following…'], 'said once');
  assert.deepEqual(lines(done.stdout.toString('utf8')), ['13:04:05 checkout [0e2b7a10] info  first']);
});

test('logs -f exits 1 with one line when the node closes the stream', async (t) => {
  const sse = await startSseStandIn();
  const cwd = await makeTempDir();
  t.after(() => Promise.all([sse.close(), cwd.remove()]));

  const cli = spawnNimbus(['logs', 'shop', '--follow', '--json'], { cwd: cwd.path, env: { NIMBUS_URL: sse.url, NIMBUS_ADMIN_KEY: 'k' } });
  await waitFor('the CLI to connect', () => sse.streams.length === 1);
  sse.push(line(1, 'only'));
  await waitFor('the line printed', () => lines(cli.output().stdout).length === 1);
  sse.streams[0]!.end();
  const done = await cli.exited;

  assert.equal(done.code, 1);
  assert.deepEqual(JSON.parse(done.stdout.toString('utf8')), line(1, 'only'));
  assert.deepEqual(lines(done.stderr), ['nimbus: the node closed the log stream']);
});
