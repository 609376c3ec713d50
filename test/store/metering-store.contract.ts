import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { MeteringStore } from '../../src/store/metering-store.js';
import { toInvocationRecord } from '../../src/metering/invocation-record.js';
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
