import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, get, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FunctionLogs } from '../../src/metering/function-logs.js';
import { handleLogsRequest } from '../../src/metering/logs-api.js';
import { InvocationLifecycle } from '../../src/runtime/lifecycle.js';
import type { StoredLogLine } from '../../src/store/log-store.js';
import { SqliteLogStore } from '../../src/store/sqlite/sqlite-log-store.js';
import { FakeClock, settle } from './fake-clock.js';
import { logLine } from './events.js';
import { openTempDatabase } from './sqlite-fixture.js';

const HEARTBEAT_MS = 15_000;

async function withServer(
  body: (ctx: { url: string; clock: FakeClock; lifecycle: InvocationLifecycle; logs: FunctionLogs }) => Promise<void>,
): Promise<void> {
  const clock = new FakeClock();
  const database = openTempDatabase();
  const logs = new FunctionLogs({ store: new SqliteLogStore(database.db, clock), clock, flushIntervalMs: 200 });
  const lifecycle = new InvocationLifecycle();
  logs.attach(lifecycle);
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    void handleLogsRequest(req, res, url.searchParams, logs, { clock, heartbeatMs: HEARTBEAT_MS });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  try {
    await body({ url: `http://127.0.0.1:${port}`, clock, lifecycle, logs });
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await logs.close();
    database.close();
  }
}

function request(url: string): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => get(url, resolve).on('error', reject));
}

async function readJson(url: string): Promise<{ status: number; body: unknown }> {
  const res = await request(url);
  let text = '';
  for await (const chunk of res) text += chunk;
  return { status: res.statusCode ?? 0, body: JSON.parse(text) };
}

/** Collects a server-sent event stream and waits for what a test expects to arrive. */
class EventStreamReader {
  text = '';
  #waiters: (() => void)[] = [];

  constructor(readonly res: IncomingMessage) {
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => {
      this.text += chunk;
      for (const wake of this.#waiters.splice(0)) wake();
    });
  }

  get lines(): StoredLogLine[] {
    return [...this.text.matchAll(/^data: (.*)$/gm)].map((m) => JSON.parse(m[1]!) as StoredLogLine);
  }

  get ids(): number[] {
    return [...this.text.matchAll(/^id: (\d+)$/gm)].map((m) => Number(m[1]));
  }

  async until(predicate: () => boolean): Promise<void> {
    while (!predicate()) await new Promise<void>((resolve) => this.#waiters.push(resolve));
  }
}

const X = '0193a1b2-c3d4-7e5f-8a6b-1c2d3e4f5a6b';
const Y = '0193a1b2-c3d5-7e5f-9a6b-1c2d00000001';

test('without follow, the logs endpoint answers the newest lines as JSON', async () => {
  await withServer(async ({ url, lifecycle }) => {
    lifecycle.emit('log', logLine({ message: 'one', invocationId: X }));
    lifecycle.emit('log', logLine({ message: 'two', invocationId: Y }));
    lifecycle.emit('log', logLine({ message: 'three', invocationId: X }));
    const all = await readJson(`${url}/?app=shop&limit=2`);
    assert.equal(all.status, 200);
    assert.deepEqual((all.body as { lines: StoredLogLine[] }).lines.map((l) => l.message), ['two', 'three']);
    const one = await readJson(`${url}/?app=shop&invocation=${X}`);
    assert.deepEqual((one.body as { lines: StoredLogLine[] }).lines.map((l) => l.message), ['one', 'three']);
    const bad = await readJson(`${url}/?fn=checkout`);
    assert.equal(bad.status, 400);
    assert.equal((bad.body as { error: { field: string } }).error.field, 'app');
  });
});

test('invocation takes a whole id or its end (8 characters or more, any letter case); anything else is a 400 naming the problem', async () => {
  await withServer(async ({ url, lifecycle }) => {
    lifecycle.emit('log', logLine({ message: 'one', invocationId: X }));
    lifecycle.emit('log', logLine({ message: 'two', invocationId: Y }));
    const messages = async (invocation: string): Promise<string[]> =>
      ((await readJson(`${url}/?app=shop&invocation=${encodeURIComponent(invocation)}`)).body as { lines: StoredLogLine[] }).lines.map((l) => l.message);
    assert.deepEqual(await messages('3e4f5a6b'), ['one'], 'the 8 characters a log line shows');
    assert.deepEqual(await messages('3E4F5A6B'), ['one']);
    assert.deepEqual(await messages('-1c2d00000001'), ['two']);
    assert.deepEqual(await messages(X.toUpperCase()), ['one']);
    assert.deepEqual(await messages('ffffffff'), []);
    const refused: [string, string][] = [
      ['5a6b', 'invocation: "5a6b" is too short: give the whole invocation id or at least its last 8 characters'],
      ['3e4f5a6g', 'invocation: "3e4f5a6g" is not an invocation id: ids are hex digits and dashes'],
      ['%5a6b_3e4f', 'invocation: "%5a6b_3e4f" is not an invocation id: ids are hex digits and dashes'],
      [`0${X}`, 'invocation: is longer than an invocation id (36 characters)'],
    ];
    for (const [invocation, message] of refused) {
      const answer = await readJson(`${url}/?app=shop&invocation=${encodeURIComponent(invocation)}`);
      assert.equal(answer.status, 400, invocation);
      assert.deepEqual(answer.body, { error: { code: 'NIMBUS_ERR_QUERY_INVALID', message: `a query parameter is not valid: ${message}`, field: 'invocation' } });
    }
  });
});

test('follow with the end of an invocation id streams the lines of the invocations that end so, recent and live', async () => {
  await withServer(async ({ url, clock, lifecycle, logs }) => {
    lifecycle.emit('log', logLine({ message: 'x before', invocationId: X }));
    lifecycle.emit('log', logLine({ message: 'y before', invocationId: Y }));
    await logs.flush();
    const res = await request(`${url}/?app=shop&follow=1&invocation=3e4f5a6b`);
    const stream = new EventStreamReader(res);
    await stream.until(() => stream.lines.length >= 1);
    lifecycle.emit('log', logLine({ message: 'y live', invocationId: Y }));
    lifecycle.emit('log', logLine({ message: 'outside', invocationId: null }));
    lifecycle.emit('log', logLine({ message: 'x live', invocationId: X }));
    clock.advance(200);
    await stream.until(() => stream.lines.length >= 2);
    assert.deepEqual(stream.lines.map((l) => l.message), ['x before', 'x live']);
    res.destroy();
    while (logs.tailCount > 0) await settle();
  });
});

test('follow streams recent lines, then live ones, with heartbeats, and cleans up on disconnect', async () => {
  await withServer(async ({ url, clock, lifecycle, logs }) => {
    lifecycle.emit('log', logLine({ message: 'old 1' }));
    lifecycle.emit('log', logLine({ message: 'old 2' }));
    await logs.flush();
    // Emitted but not yet stored when the tail starts: it must arrive exactly once.
    lifecycle.emit('log', logLine({ message: 'in flight' }));

    const res = await request(`${url}/?app=shop&fn=checkout&follow=1&limit=2`);
    assert.equal(res.statusCode, 200);
    assert.match(String(res.headers['content-type']), /^text\/event-stream/);
    const stream = new EventStreamReader(res);
    await stream.until(() => stream.lines.length >= 2);
    assert.deepEqual(stream.lines.map((l) => l.message), ['old 2', 'in flight']);
    assert.equal(logs.tailCount, 1);

    lifecycle.emit('log', logLine({ message: 'live', invocationId: 'inv-9' }));
    lifecycle.emit('log', logLine({ functionName: 'cart', message: 'other function' }));
    lifecycle.emit('log', logLine({ app: 'blog', message: 'other app' }));
    clock.advance(200);
    await stream.until(() => stream.lines.length >= 3);
    assert.deepEqual(stream.lines.map((l) => l.message), ['old 2', 'in flight', 'live']);
    assert.equal(stream.lines[2]?.invocationId, 'inv-9');
    const ids = stream.ids;
    assert.deepEqual(ids, [...ids].sort((a, b) => a - b), 'event ids are increasing seq numbers');

    assert.doesNotMatch(stream.text, /: heartbeat/);
    clock.advance(HEARTBEAT_MS);
    await stream.until(() => stream.text.includes(': heartbeat'));

    res.destroy();
    while (logs.tailCount > 0) await settle();
    assert.equal(clock.pendingTimers, 0, 'the heartbeat timer is gone too');
  });
});
