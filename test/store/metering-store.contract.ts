import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { MeteringStore } from '../../src/store/metering-store.js';
import { toInvocationRecord } from '../../src/metering/invocation-record.js';
import { bucketOf, DURATION_BUCKET_COUNT } from '../../src/metering/duration-histogram.js';
import { FakeClock } from '../metering/fake-clock.js';
import { batchOf, finished } from '../metering/events.js';

export interface MeteringStoreHarness {
  store: MeteringStore;
  /** A second store on the same database, as another node has it; the cases that need one are skipped without. */
  second?: MeteringStore;
  close(): Promise<void>;
}

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 0, 15, 12, 0, 0);

/** The behaviour every MeteringStore implementation must show (SQLite and PostgreSQL). */
export function runMeteringStoreContract(name: string, open: (clock: FakeClock) => Promise<MeteringStoreHarness>): void {
  const withStore = (title: string, body: (store: MeteringStore, clock: FakeClock, second?: MeteringStore) => Promise<void>): void => {
    test(`${name}: ${title}`, async () => {
      const clock = new FakeClock(T0);
      const harness = await open(clock);
      try {
        await body(harness.store, clock, harness.second);
      } finally {
        await harness.close();
      }
    });
  };

  withStore('records come back newest first, filtered by app and function', async (store) => {
    await store.writeBatch(batchOf([
      toInvocationRecord(finished({ id: 'r1', app: 'shop', functionName: 'checkout' })),
      toInvocationRecord(finished({ id: 'r2', app: 'shop', functionName: 'cart', coldStartMs: 4 })),
      toInvocationRecord(finished({ id: 'r3', app: 'blog', functionName: 'render', outcome: 'timeout', error: 'slow' })),
    ]));
    assert.deepEqual((await store.listRecords({ limit: 10 })).map((r) => r.id), ['r3', 'r2', 'r1']);
    assert.deepEqual((await store.listRecords({ app: 'shop', limit: 10 })).map((r) => r.id), ['r2', 'r1']);
    assert.deepEqual((await store.listRecords({ app: 'shop', functionName: 'cart', limit: 10 })).map((r) => r.id), ['r2']);
    assert.deepEqual((await store.listRecords({ limit: 1 })).map((r) => r.id), ['r3']);
    const [timedOut] = await store.listRecords({ app: 'blog', limit: 1 });
    assert.deepEqual(timedOut, toInvocationRecord(finished({ id: 'r3', app: 'blog', functionName: 'render', outcome: 'timeout', error: 'slow' })));
  });

  withStore('records page newest first by outcome, and a page stays put while records arrive and old ones go', async (store) => {
    const record = (id: string, outcome: 'ok' | 'error' | 'timeout' = 'ok', app = 'shop') =>
      toInvocationRecord(finished({ id, app, outcome, ...(outcome === 'ok' ? {} : { error: 'bad' }) }));
    await store.writeBatch(batchOf([record('a1'), record('a2', 'error'), record('a3')]));
    await store.writeBatch(batchOf([record('b1', 'timeout'), record('b2'), record('b3', 'ok', 'blog')]));
    await store.writeBatch(batchOf([record('c1'), record('c2', 'error')]));

    const first = await store.pageRecords({ app: 'shop', limit: 3 });
    assert.deepEqual(first.records.map((r) => r.id), ['c2', 'c1', 'b2']);
    assert.ok(first.next, 'more records follow');
    // New records arrive, and retention trims the oldest records of the cursor's batch and before it.
    await store.writeBatch(batchOf([record('d1'), record('d2')]));
    const second = await store.pageRecords({ app: 'shop', limit: 3, before: first.next });
    assert.deepEqual(second.records.map((r) => r.id), ['b1', 'a3', 'a2']);
    const last = await store.pageRecords({ app: 'shop', limit: 3, before: second.next! });
    assert.deepEqual([last.records.map((r) => r.id), last.next], [['a1'], null]);
    const exact = await store.pageRecords({ app: 'shop', limit: 1, before: second.next! });
    assert.deepEqual([exact.records.map((r) => r.id), exact.next], [['a1'], null], 'a full page with nothing after it says so');

    const failed = await store.pageRecords({ outcomes: ['error', 'timeout'], limit: 2 });
    assert.deepEqual(failed.records.map((r) => [r.id, r.outcome]), [['c2', 'error'], ['b1', 'timeout']]);
    const moreFailed = await store.pageRecords({ outcomes: ['error', 'timeout'], limit: 2, before: failed.next! });
    assert.deepEqual([moreFailed.records.map((r) => r.id), moreFailed.next], [['a2'], null]);
    assert.deepEqual((await store.pageRecords({ outcomes: ['ok'], app: 'blog', limit: 5 })).records.map((r) => r.id), ['b3']);

    // The sweep drops whole batches and the oldest records of one; a cursor into what is left reads on from the same record.
    const atB2 = await store.pageRecords({ limit: 4 });
    assert.deepEqual(atB2.records.map((r) => r.id), ['d2', 'd1', 'c2', 'c1']);
    await store.sweep({ recordMaxAgeMs: 365 * DAY, recordMaxCount: 6, rollupMaxAgeMs: 365 * DAY });
    const afterSweep = await store.pageRecords({ limit: 10, before: atB2.next! });
    assert.deepEqual([afterSweep.records.map((r) => r.id), afterSweep.next], [['b3', 'b2'], null]);
  });

  withStore('a batch is one transaction: a roll-up the database refuses stores none of it', async (store) => {
    const batch = batchOf([toInvocationRecord(finished({ id: 'good' }))]);
    const refused = { ...batch, rollups: [...batch.rollups, { ...batch.rollups[0]!, app: null as unknown as string }] };
    await assert.rejects(store.writeBatch(refused));
    assert.deepEqual(await store.listRecords({ limit: 10 }), []);
    assert.deepEqual(await store.listRollups({ since: 0 }), []);
  });

  withStore('roll-ups written for the same function and minute through two stores on one database add up', async (store, _clock, second) => {
    assert.ok(second, 'the harness opens a second store on the same database');
    const writes = Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? store : second).writeBatch(batchOf([
      toInvocationRecord(finished({ startedAt: T0 + i, durationMs: 10, cpuMicros: 1_000, outcome: i % 5 === 0 ? 'error' : 'ok' })),
      toInvocationRecord(finished({ startedAt: T0 + 1_000 + i, durationMs: 10 + i, cpuMicros: 1_000 })),
    ])));
    await Promise.all(writes);
    const [rollup, ...others] = await store.listRollups({ app: 'shop', since: T0 });
    assert.deepEqual(others, []);
    assert.equal(rollup?.invocations, 40);
    assert.deepEqual(rollup?.errorsByOutcome, { error: 4 });
    assert.equal(rollup?.billedMs, 20 * 10 + Array.from({ length: 20 }, (_, i) => 10 + i).reduce((a, b) => a + b, 0));
    assert.equal(rollup?.cpuMs, 40);
    assert.equal(rollup?.durationMaxMs, 29);
    assert.equal((await second.listRecords({ limit: 100 })).length, 40);
  });

  withStore('roll-ups sum each function per minute, errors by outcome', async (store) => {
    const minute = T0;
    await store.writeBatch(batchOf([
      toInvocationRecord(finished({ startedAt: minute + 1_000, durationMs: 10.2, coldStartMs: 30, cpuMicros: 1_500 })),
      toInvocationRecord(finished({ startedAt: minute + 59_999, durationMs: 20, outcome: 'error' })),
      toInvocationRecord(finished({ startedAt: minute + 30_000, durationMs: 5, outcome: 'timeout' })),
      toInvocationRecord(finished({ startedAt: minute + 60_000, durationMs: 1 })),
      toInvocationRecord(finished({ startedAt: minute + 2_000, functionName: 'cart', durationMs: 1 })),
    ]));
    const rollups = await store.listRollups({ app: 'shop', since: minute });
    assert.deepEqual(
      rollups.map((r) => [r.minute - minute, r.functionName, r.invocations]),
      [
        [0, 'cart', 1],
        [0, 'checkout', 3],
        [60_000, 'checkout', 1],
      ],
    );
    const first = rollups[1]!;
    assert.deepEqual(first.errorsByOutcome, { error: 1, timeout: 1 });
    assert.equal(first.coldStarts, 1);
    assert.equal(first.billedMs, 11 + 20 + 5);
    assert.equal(first.gbSeconds, (128 / 1024) * (36 / 1000));
    assert.equal(first.cpuMs, 1.5 + 5 + 5);
    assert.equal(first.durationSumMs, 35.2);
    assert.equal(first.durationMaxMs, 20);
  });

  withStore('roll-ups count durations in histogram buckets that add up across nodes, and group per minute and function', async (store, _clock, second) => {
    assert.ok(second, 'the harness opens a second store on the same database');
    const durations = [0.05, 3, 3.2, 40, 40, 700, 1_200_000];
    await Promise.all(durations.map((durationMs, i) => (i % 2 === 0 ? store : second).writeBatch(batchOf([
      toInvocationRecord(finished({ startedAt: T0 + i, durationMs })),
      toInvocationRecord(finished({ startedAt: T0 + 60_000 + i, functionName: 'cart', durationMs, outcome: 'error' })),
    ]))));
    const expected = new Array<number>(DURATION_BUCKET_COUNT).fill(0);
    for (const d of durations) expected[bucketOf(d)]! += 1;
    const rollups = await store.listRollups({ app: 'shop', since: T0 });
    assert.deepEqual(rollups.map((r) => [r.functionName, r.minute - T0, r.durationBuckets]), [['checkout', 0, expected], ['cart', 60_000, expected]]);

    const perMinute = await store.usage({ since: T0, by: 'minute' });
    assert.deepEqual(perMinute.map((m) => [m.periodStart, m.invocations, m.errors, m.durationBuckets]), [[T0, 7, 0, expected], [T0 + 60_000, 7, 7, expected]]);
    const cart = await store.usage({ since: T0, by: 'minute', app: 'shop', functionName: 'cart' });
    assert.deepEqual(cart.map((m) => [m.periodStart, m.invocations, m.durationMaxMs]), [[T0 + 60_000, 7, 1_200_000]]);
    assert.deepEqual(await store.usage({ since: T0, by: 'minute', app: 'blog' }), []);
    const byFunction = await store.usage({ since: T0, by: 'function' });
    assert.deepEqual(byFunction.map((u) => u.durationBuckets), [expected, expected], 'every grouping sums the buckets');
  });

  withStore('usage groups roll-ups by function, by UTC hour and by UTC day', async (store) => {
    const hour = 3_600_000;
    await store.writeBatch(batchOf([
      toInvocationRecord(finished({ startedAt: T0, app: 'shop', functionName: 'checkout', durationMs: 100, memoryMb: 1024 })),
      toInvocationRecord(finished({ startedAt: T0 + hour, app: 'shop', functionName: 'checkout', outcome: 'throttled', durationMs: 0 })),
      toInvocationRecord(finished({ startedAt: T0 + 2 * hour, app: 'shop', functionName: 'cart', coldStartMs: 12 })),
      toInvocationRecord(finished({ startedAt: T0 + DAY, app: 'blog', functionName: 'render' })),
    ]));
    const byFunction = await store.usage({ since: T0, by: 'function' });
    assert.deepEqual(
      byFunction.map((u) => [u.app, u.functionName, u.invocations, u.errors, u.throttled, u.coldStarts]),
      [
        ['blog', 'render', 1, 0, 0, 0],
        ['shop', 'cart', 1, 0, 0, 1],
        ['shop', 'checkout', 2, 1, 1, 0],
      ],
    );
    assert.equal(byFunction[2]?.gbSeconds, 0.1);
    const byHour = await store.usage({ app: 'shop', since: T0, by: 'hour' });
    assert.deepEqual(byHour.map((u) => [u.periodStart, u.invocations]), [[T0, 1], [T0 + hour, 1], [T0 + 2 * hour, 1]]);
    const byDay = await store.usage({ since: T0 - 5 * DAY, by: 'day' });
    const midnight = Date.UTC(2026, 0, 15);
    assert.deepEqual(byDay.map((u) => [u.periodStart, u.invocations]), [[midnight, 3], [midnight + DAY, 1]]);
    assert.deepEqual((await store.usage({ since: T0 + DAY, by: 'function' })).map((u) => u.app), ['blog']);
  });

  withStore('the sweep deletes records past their age, beyond the count cap, and old roll-ups', async (store, clock) => {
    // Written in the order they finished, as the recorder writes them.
    await store.writeBatch(batchOf([
      toInvocationRecord(finished({ id: 'ancient', startedAt: T0 - 100 * DAY })),
      toInvocationRecord(finished({ id: 'old', startedAt: T0 - 8 * DAY })),
      ...[5, 4, 3, 2, 1].map((n) => toInvocationRecord(finished({ id: `new-${n}`, startedAt: T0 - n * 1000 }))),
    ]));
    const result = await store.sweep({ recordMaxAgeMs: 7 * DAY, recordMaxCount: 3, rollupMaxAgeMs: 90 * DAY });
    assert.deepEqual(result, { recordsDeleted: 4, rollupsDeleted: 1 });
    assert.deepEqual((await store.listRecords({ limit: 10 })).map((r) => r.id), ['new-1', 'new-2', 'new-3']);
    // Roll-ups outlive the raw records they were made from.
    assert.equal((await store.listRollups({ since: 0 })).reduce((n, r) => n + r.invocations, 0), 6);
    clock.advance(DAY);
    const later = await store.sweep({ recordMaxAgeMs: 7 * DAY, recordMaxCount: 3, rollupMaxAgeMs: 90 * DAY });
    assert.deepEqual(later, { recordsDeleted: 0, rollupsDeleted: 0 });
    assert.deepEqual(await store.sweep({ recordMaxAgeMs: 7 * DAY, recordMaxCount: 0, rollupMaxAgeMs: 0 }), {
      recordsDeleted: 3,
      rollupsDeleted: 2,
    });
  });
}
