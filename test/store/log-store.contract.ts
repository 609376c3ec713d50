import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { LogLimits, LogStore } from '../../src/store/log-store.js';
import { FakeClock } from '../metering/fake-clock.js';
import { logLine } from '../metering/events.js';

export interface LogStoreHarness {
  store: LogStore;
  /** A second store on the same database, as another node has it. */
  second: LogStore;
  /** Adds to a function's stored totals behind the store's back, as a bug or a hand edit could. */
  overstateTotals(app: string, functionName: string, lines: number): Promise<void>;
  close(): Promise<void>;
}

/** The behaviour every LogStore implementation must show (SQLite and PostgreSQL). */
export function runLogStoreContract(
  name: string,
  open: (clock: FakeClock, limits: Partial<LogLimits>) => Promise<LogStoreHarness>,
): void {
  const withStore = (title: string, limits: Partial<LogLimits>, body: (store: LogStore, second: LogStore, harness: LogStoreHarness) => Promise<void>): void => {
    test(`${name}: ${title}`, async () => {
      const harness = await open(new FakeClock(), limits);
      try {
        await body(harness.store, harness.second, harness);
      } finally {
        await harness.close();
      }
    });
  };

  withStore('appended lines get increasing sequence numbers and come back oldest first', {}, async (store) => {
    const stored = await store.append([logLine({ message: 'one' }), logLine({ message: 'two', stream: 'stderr', level: 'error' })]);
    assert.ok(stored[0]!.seq < stored[1]!.seq);
    const lines = await store.query({ app: 'shop', limit: 10 });
    assert.deepEqual(lines, stored);
    assert.equal(lines[1]?.stream, 'stderr');
    assert.equal(lines[1]?.level, 'error');
  });

  withStore('a batch of many lines, of several functions, comes back exactly as append reported it, seq by seq', {}, async (store) => {
    // More lines than a store writes with one statement, and a count that is not a multiple of it.
    const batch = Array.from({ length: 75 }, (_, i) => logLine({
      functionName: i % 3 === 0 ? 'checkout' : 'cart', invocationId: i % 5 === 0 ? null : `inv-${i % 7}`,
      stream: i % 2 ? 'stderr' : 'stdout', level: i % 2 ? 'warn' : 'info', time: 1_000 + i, message: `line ${i}`,
    }));
    const stored = await store.append(batch);
    assert.deepEqual(stored.map((l) => l.message), batch.map((l) => l.message));
    for (let i = 1; i < stored.length; i++) assert.ok(stored[i]!.seq > stored[i - 1]!.seq, 'seq grows in the order of the batch');
    assert.deepEqual(await store.query({ app: 'shop', limit: 100 }), stored);
    assert.deepEqual(await store.query({ app: 'shop', functionName: 'checkout', limit: 100 }), stored.filter((l) => l.functionName === 'checkout'));
  });

  withStore('a query filters by function, invocation, time and sequence, and returns the newest `limit`', {}, async (store) => {
    const t = Date.UTC(2026, 0, 15);
    await store.append([
      logLine({ functionName: 'checkout', invocationId: 'a', time: t, message: 'a1' }),
      logLine({ functionName: 'cart', invocationId: 'b', time: t + 1, message: 'b1' }),
      logLine({ functionName: 'checkout', invocationId: 'a', time: t + 2, message: 'a2' }),
      logLine({ functionName: 'checkout', invocationId: null, time: t + 3, message: 'top level' }),
      logLine({ app: 'blog', functionName: 'checkout', invocationId: 'c', time: t + 4, message: 'other app' }),
    ]);
    const messages = async (q: Parameters<LogStore['query']>[0]): Promise<string[]> => (await store.query(q)).map((l) => l.message);
    assert.deepEqual(await messages({ app: 'shop', limit: 10 }), ['a1', 'b1', 'a2', 'top level']);
    assert.deepEqual(await messages({ app: 'shop', functionName: 'checkout', limit: 10 }), ['a1', 'a2', 'top level']);
    assert.deepEqual(await messages({ app: 'shop', invocationId: 'a', limit: 10 }), ['a1', 'a2']);
    assert.deepEqual(await messages({ app: 'shop', since: t + 2, limit: 10 }), ['a2', 'top level']);
    assert.deepEqual(await messages({ app: 'shop', limit: 2 }), ['a2', 'top level']);
    const [first] = await store.query({ app: 'shop', limit: 1 });
    assert.deepEqual(await messages({ app: 'shop', afterSeq: first!.seq - 2, limit: 10 }), ['a2', 'top level']);
  });

  withStore('an invocation is found by its whole id or by the end of it, as log lines show it; an end two ids share finds both', {}, async (store) => {
    const t = Date.UTC(2026, 0, 15);
    // `one` and `two` end alike in their last 8 characters (what a printed line shows), not in their last 12.
    const one = '0193a1b2-c3d4-7e5f-8a6b-1c2d3e4f5a6b';
    const two = '0193a1b2-c3d5-7e5f-9a6b-99993e4f5a6b';
    const three = '0193a1b2-c3d6-7e5f-8a6b-1c2d00000001';
    await store.append([
      logLine({ functionName: 'checkout', invocationId: one, time: t, message: 'one 1' }),
      logLine({ functionName: 'cart', invocationId: two, time: t + 1, message: 'two 1' }),
      logLine({ functionName: 'checkout', invocationId: three, time: t + 2, message: 'three 1' }),
      logLine({ functionName: 'checkout', invocationId: null, time: t + 3, message: 'top level' }),
      logLine({ functionName: 'checkout', invocationId: one, time: t + 4, message: 'one 2' }),
      logLine({ app: 'blog', functionName: 'checkout', invocationId: '0193ffff-c3d4-7e5f-8a6b-00003e4f5a6b', time: t + 5, message: 'other app' }),
    ]);
    const messages = async (q: Omit<Parameters<LogStore['query']>[0], 'app' | 'limit'>, limit = 10): Promise<string[]> =>
      (await store.query({ app: 'shop', limit, ...q })).map((l) => l.message);
    assert.deepEqual(await messages({ invocationId: one }), ['one 1', 'one 2'], 'the whole id');
    assert.deepEqual(await messages({ invocationIdEndsWith: one }), ['one 1', 'one 2'], 'a whole id is its own end');
    assert.deepEqual(await messages({ invocationIdEndsWith: '00000001' }), ['three 1'], 'the 8 characters a line shows');
    assert.deepEqual(await messages({ invocationIdEndsWith: '3e4f5a6b' }), ['one 1', 'two 1', 'one 2'], 'both invocations that end so, in this app only');
    assert.deepEqual(await messages({ invocationIdEndsWith: '1c2d3e4f5a6b' }), ['one 1', 'one 2'], 'more characters pick one');
    assert.deepEqual(await messages({ invocationIdEndsWith: '-1c2d3e4f5a6b' }), ['one 1', 'one 2'], 'a dash is an ordinary character');
    assert.deepEqual(await messages({ invocationIdEndsWith: '3e4f5a6b', functionName: 'cart' }), ['two 1'], 'within one function');
    assert.deepEqual(await messages({ invocationIdEndsWith: '3e4f5a6b', since: t + 1 }), ['two 1', 'one 2'], 'within the window');
    assert.deepEqual(await messages({ invocationIdEndsWith: '3e4f5a6b' }, 2), ['two 1', 'one 2'], 'the newest `limit` lines');
    assert.deepEqual(await messages({ invocationIdEndsWith: 'ffffffff' }), [], 'no invocation ends so');
    // LIKE would take `_` and `%` for wildcards: an end is matched character for character.
    assert.deepEqual(await messages({ invocationIdEndsWith: '_e4f5a6b' }), []);
    assert.deepEqual(await messages({ invocationIdEndsWith: '%5a6b' }), []);
  });

  withStore('each function keeps at most its line limit; the oldest lines go', { maxLinesPerFunction: 10 }, async (store) => {
    for (let batch = 0; batch < 5; batch++) {
      await store.append(Array.from({ length: 7 }, (_, i) => logLine({ message: `line ${batch * 7 + i}` })));
      const totals = await store.functionTotals('shop', 'checkout');
      assert.ok(totals.lines <= 10, `kept ${totals.lines} lines`);
    }
    await store.append([logLine({ functionName: 'cart', message: 'untouched' })]);
    const kept = await store.query({ app: 'shop', functionName: 'checkout', limit: 100 });
    assert.ok(kept.length >= 9 && kept.length <= 10, `kept ${kept.length}`);
    assert.equal(kept.at(-1)?.message, 'line 34', 'the newest line is kept');
    assert.equal(kept[0]?.message, `line ${35 - kept.length}`, 'only the oldest were dropped');
    assert.equal((await store.functionTotals('shop', 'checkout')).lines, kept.length);
    assert.deepEqual((await store.query({ app: 'shop', functionName: 'cart', limit: 10 })).map((l) => l.message), ['untouched']);
  });

  withStore('each function keeps at most its byte limit', { maxBytesPerFunction: 1_000, maxMessageBytes: 1_000 }, async (store) => {
    for (let i = 0; i < 30; i++) await store.append([logLine({ message: `${i}:`.padEnd(100, 'x') })]);
    const totals = await store.functionTotals('shop', 'checkout');
    assert.ok(totals.bytes <= 1_000, `kept ${totals.bytes} bytes`);
    const kept = await store.query({ app: 'shop', limit: 100 });
    assert.equal(totals.bytes, kept.reduce((n, l) => n + Buffer.byteLength(l.message), 0));
    assert.ok(kept.at(-1)?.message.startsWith('29:'));
  });

  withStore('both limits at once, over many trims: the newest lines within both are kept, and the totals are theirs', { maxLinesPerFunction: 40, maxBytesPerFunction: 2_000, maxMessageBytes: 1_000 }, async (store) => {
    let n = 0;
    for (let batch = 0; batch < 30; batch++) {
      // Lines of 5 to 120 bytes, in batches of 1 to 9: sometimes the line limit binds, sometimes the byte limit.
      const lines = Array.from({ length: 1 + (batch * 7) % 9 }, () => logLine({ message: `${n++}:`.padEnd(5 + (n * 37) % 116, 'x') }));
      await store.append(lines);
      const totals = await store.functionTotals('shop', 'checkout');
      const kept = await store.query({ app: 'shop', functionName: 'checkout', limit: 1_000 });
      assert.ok(totals.lines <= 40 && totals.bytes <= 2_000, `batch ${batch}: kept ${totals.lines} lines, ${totals.bytes} bytes`);
      assert.deepEqual({ ...totals }, { lines: kept.length, bytes: kept.reduce((sum, l) => sum + Buffer.byteLength(l.message), 0) }, `batch ${batch}: totals`);
      assert.equal(kept.at(-1)?.message.split(':')[0], String(n - 1), 'the newest line is kept');
      const numbers = kept.map((l) => Number(l.message.split(':')[0]));
      assert.deepEqual(numbers, numbers.map((_, i) => n - kept.length + i), 'the kept lines are the newest, none missing');
    }
  });

  withStore('totals that count lines which are not there drop nothing: they are counted again, and trims go on by the true counts', { maxLinesPerFunction: 10 }, async (store, _second, harness) => {
    await store.append(Array.from({ length: 5 }, (_, i) => logLine({ message: `line ${i}` })));
    await harness.overstateTotals('shop', 'checkout', 100);
    await store.append([logLine({ message: 'line 5' })]);
    const messages = async (): Promise<string[]> => (await store.query({ app: 'shop', functionName: 'checkout', limit: 100 })).map((l) => l.message);
    assert.deepEqual(await messages(), ['line 0', 'line 1', 'line 2', 'line 3', 'line 4', 'line 5'], 'nothing dropped on the word of wrong totals');
    assert.equal((await store.functionTotals('shop', 'checkout')).lines, 6, 'counted again');
    await store.append(Array.from({ length: 6 }, (_, i) => logLine({ message: `line ${6 + i}` })));
    assert.deepEqual(await messages(), Array.from({ length: 9 }, (_, i) => `line ${3 + i}`), 'trimmed to 90 % of the limit by the true counts');
    assert.equal((await store.functionTotals('shop', 'checkout')).lines, 9);
  });

  withStore('an over-long message is cut and marked', { maxMessageBytes: 64 }, async (store) => {
    const [stored] = await store.append([logLine({ message: 'é'.repeat(100) })]);
    assert.ok(Buffer.byteLength(stored!.message) <= 64);
    assert.match(stored!.message, /^é+ …\[cut\]$/);
    assert.equal((await store.query({ app: 'shop', limit: 1 }))[0]?.message, stored!.message);
  });

  withStore('lines from two nodes: a tail resuming after its last seq misses none, totals and limits count both', { maxLinesPerFunction: 1_000 }, async (store, second) => {
    const written: string[] = [];
    const writes = Array.from({ length: 30 }, async (_, i) => {
      const lines = Array.from({ length: 5 }, (_, j) => logLine({ message: `w${i}-${j}` }));
      written.push(...lines.map((l) => l.message));
      return (i % 2 === 0 ? store : second).append(lines);
    });
    const seen: string[] = [];
    let after = 0;
    const tail = async (): Promise<void> => {
      for (const line of await store.query({ app: 'shop', afterSeq: after, limit: 10_000 })) {
        assert.ok(line.seq > after, 'a tail sees sequence numbers only grow');
        after = line.seq;
        seen.push(line.message);
      }
    };
    let done = false;
    const tailing = (async () => {
      while (!done) await tail();
    })();
    await Promise.all(writes);
    done = true;
    await tailing;
    await tail();
    assert.deepEqual([...seen].sort(), [...written].sort());
    assert.deepEqual({ ...(await second.functionTotals('shop', 'checkout')) }, {
      lines: 150,
      bytes: written.reduce((n, m) => n + Buffer.byteLength(m), 0),
    });
  });
}
