import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FunctionLogs } from '../../src/metering/function-logs.js';
import { InvocationLifecycle } from '../../src/runtime/lifecycle.js';
import type { StoredLogLine } from '../../src/store/log-store.js';
import { SqliteLogStore } from '../../src/store/sqlite/sqlite-log-store.js';
import { FakeClock, settle } from './fake-clock.js';
import { logLine } from './events.js';
import { openTempDatabase } from './sqlite-fixture.js';

function setUp() {
  const clock = new FakeClock();
  const database = openTempDatabase();
  const store = new SqliteLogStore(database.db, clock, { maxLinesPerFunction: 20 });
  const lifecycle = new InvocationLifecycle();
  const logs = new FunctionLogs({ store, clock, flushIntervalMs: 200 });
  logs.attach(lifecycle);
  return { clock, store, lifecycle, logs, close: database.close };
}

test('lines from the lifecycle are stored in batches on the flush interval', async () => {
  const { clock, store, lifecycle, logs, close } = setUp();
  try {
    lifecycle.emit('log', logLine({ message: 'one' }));
    lifecycle.emit('log', logLine({ message: 'two' }));
    await settle();
    assert.deepEqual(await store.query({ app: 'shop', limit: 10 }), [], 'not written on the hot path');
    clock.advance(200);
    await settle();
    assert.deepEqual((await store.query({ app: 'shop', limit: 10 })).map((l) => l.message), ['one', 'two']);
  } finally {
    await logs.close();
    close();
  }
});

test('a query sees lines emitted a moment ago, and finds one invocation’s lines', async () => {
  const { lifecycle, logs, close } = setUp();
  try {
    lifecycle.emit('log', logLine({ invocationId: 'inv-a', message: 'a starts' }));
    lifecycle.emit('log', logLine({ invocationId: 'inv-b', message: 'b starts' }));
    lifecycle.emit('log', logLine({ invocationId: 'inv-a', message: 'a ends', stream: 'stderr' }));
    const lines = await logs.query({ app: 'shop', invocationId: 'inv-a', limit: 10 });
    assert.deepEqual(lines.map((l) => [l.message, l.stream]), [['a starts', 'stdout'], ['a ends', 'stderr']]);
  } finally {
    await logs.close();
    close();
  }
});

test('the per-function cap holds for lines that arrive through the lifecycle', async () => {
  const { lifecycle, logs, store, close } = setUp();
  try {
    for (let i = 0; i < 100; i++) lifecycle.emit('log', logLine({ message: `line ${i}` }));
    await logs.flush();
    const kept = await logs.query({ app: 'shop', functionName: 'checkout', limit: 1_000 });
    assert.ok(kept.length <= 20, `kept ${kept.length}`);
    assert.equal(kept.at(-1)?.message, 'line 99');
    assert.equal((await store.functionTotals('shop', 'checkout')).lines, kept.length);
  } finally {
    await logs.close();
    close();
  }
});

test('a tail receives stored lines of its app (and function) with their seq, until it unsubscribes', async () => {
  const { clock, lifecycle, logs, close } = setUp();
  try {
    const wholeApp: StoredLogLine[] = [];
    const cartOnly: StoredLogLine[] = [];
    const stopApp = logs.subscribe({ app: 'shop' }, (line) => wholeApp.push(line));
    logs.subscribe({ app: 'shop', functionName: 'cart' }, (line) => cartOnly.push(line));
    assert.equal(logs.tailCount, 2);
    lifecycle.emit('log', logLine({ functionName: 'checkout', message: 'c1' }));
    lifecycle.emit('log', logLine({ functionName: 'cart', message: 'k1' }));
    lifecycle.emit('log', logLine({ app: 'blog', message: 'elsewhere' }));
    assert.equal(wholeApp.length, 0, 'tails see lines once stored');
    clock.advance(200);
    await settle();
    assert.deepEqual(wholeApp.map((l) => l.message), ['c1', 'k1']);
    assert.ok(wholeApp[0]!.seq < wholeApp[1]!.seq);
    assert.deepEqual(cartOnly.map((l) => l.message), ['k1']);
    stopApp();
    lifecycle.emit('log', logLine({ functionName: 'cart', message: 'k2' }));
    await logs.flush();
    assert.equal(wholeApp.length, 2);
    assert.deepEqual(cartOnly.map((l) => l.message), ['k1', 'k2']);
  } finally {
    await logs.close();
    close();
  }
});
