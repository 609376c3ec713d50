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

test('without follow, the logs endpoint answers the newest lines as JSON', async () => {
  await withServer(async ({ url, lifecycle }) => {
    lifecycle.emit('log', logLine({ message: 'one', invocationId: 'x' }));
    lifecycle.emit('log', logLine({ message: 'two', invocationId: 'y' }));
    lifecycle.emit('log', logLine({ message: 'three', invocationId: 'x' }));
    const all = await readJson(`${url}/?app=shop&limit=2`);
    assert.equal(all.status, 200);
    assert.deepEqual((all.body as { lines: StoredLogLine[] }).lines.map((l) => l.message), ['two', 'three']);
    const one = await readJson(`${url}/?app=shop&invocation=x`);
    assert.deepEqual((one.body as { lines: StoredLogLine[] }).lines.map((l) => l.message), ['one', 'three']);
    const bad = await readJson(`${url}/?fn=checkout`);
    assert.equal(bad.status, 400);
    assert.equal((bad.body as { error: { field: string } }).error.field, 'app');
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
