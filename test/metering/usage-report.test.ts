import { test } from 'node:test';
import assert from 'node:assert/strict';
import { toInvocationRecord } from '../../src/metering/invocation-record.js';
import { costOf, DEFAULT_PRICES } from '../../src/metering/prices.js';
import { usageReport } from '../../src/metering/usage-report.js';
import { SqliteMeteringStore } from '../../src/store/sqlite/sqlite-metering-store.js';
import { FakeClock } from './fake-clock.js';
import { batchOf, finished } from './events.js';
import { openTempDatabase } from './sqlite-fixture.js';

const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 0, 15, 12, 0, 0);

test('cost is requests at the per-million price plus GB-seconds at the GB-second price', () => {
  assert.equal(costOf({ requests: 1_000_000, gbSeconds: 0 }), 0.2);
  assert.equal(costOf({ requests: 0, gbSeconds: 1_000_000 }), 16.6667);
  assert.equal(costOf({ requests: 2_000_000, gbSeconds: 400_000 }, DEFAULT_PRICES), 7.06668);
  assert.equal(costOf({ requests: 10, gbSeconds: 1 }, { perMillionRequests: 1, perGbSecond: 1 }), 1.00001);
});

test('a usage report by function adds up: rows, totals and cost from the price table', async () => {
  const database = openTempDatabase();
  try {
    const store = new SqliteMeteringStore(database.db, new FakeClock(T0));
    await store.writeBatch(batchOf([
      // 1 GB for 1000.2 ms bills 1001 ms: 1.001 GB-s.
      toInvocationRecord(finished({ functionName: 'checkout', memoryMb: 1024, durationMs: 1000.2, cpuMicros: 800_000, coldStartMs: 50 })),
      toInvocationRecord(finished({ functionName: 'checkout', memoryMb: 1024, durationMs: 999, cpuMicros: 200_000, outcome: 'error' })),
      toInvocationRecord(finished({ functionName: 'cart', memoryMb: 512, durationMs: 2000, cpuMicros: 1_000 })),
      toInvocationRecord(finished({ functionName: 'cart', memoryMb: 512, durationMs: 0, cpuMicros: 0, outcome: 'throttled' })),
      toInvocationRecord(finished({ app: 'blog', functionName: 'render', durationMs: 5 })),
    ]));
    const prices = { perMillionRequests: 1_000_000, perGbSecond: 10 };
    const report = await usageReport(store, { app: 'shop', since: T0 - HOUR, by: 'function' }, prices);
    assert.deepEqual(report.rows, [
      { key: 'shop/cart', invocations: 2, gbSeconds: 1, cpuMs: 1, errors: 1, coldStarts: 0, billedMs: 2000, cost: 1 * 1 + 1 * 10 },
      {
        key: 'shop/checkout',
        invocations: 2,
        gbSeconds: 2,
        cpuMs: 1000,
        errors: 1,
        coldStarts: 1,
        billedMs: 2000,
        cost: 2 * 1 + 2 * 10,
      },
    ]);
    assert.deepEqual(report.totals, { invocations: 4, gbSeconds: 3, cpuMs: 1001, errors: 2, coldStarts: 1, billedMs: 4000, cost: 33 });
    const everything = await usageReport(store, { since: T0 - HOUR, by: 'function' });
    assert.equal(everything.rows.length, 3);
    assert.equal(everything.totals.invocations, 5);
    assert.equal(everything.prices, DEFAULT_PRICES);
  } finally {
    database.close();
  }
});

test('usage by hour and by day is keyed by the UTC period', async () => {
  const database = openTempDatabase();
  try {
    const store = new SqliteMeteringStore(database.db, new FakeClock(T0));
    await store.writeBatch(batchOf([
      toInvocationRecord(finished({ startedAt: T0 + 5 * 60_000 })),
      toInvocationRecord(finished({ startedAt: T0 + 59 * 60_000 })),
      toInvocationRecord(finished({ startedAt: T0 + HOUR })),
      toInvocationRecord(finished({ startedAt: T0 + 13 * HOUR })),
    ]));
    const byHour = await usageReport(store, { since: T0, by: 'hour' });
    assert.deepEqual(
      byHour.rows.map((r) => [r.key, r.invocations]),
      [
        ['2026-01-15T12:00Z', 2],
        ['2026-01-15T13:00Z', 1],
        ['2026-01-16T01:00Z', 1],
      ],
    );
    const byDay = await usageReport(store, { since: T0, by: 'day' });
    assert.deepEqual(byDay.rows.map((r) => [r.key, r.invocations]), [['2026-01-15', 3], ['2026-01-16', 1]]);
    assert.equal(byDay.totals.invocations, 4);
  } finally {
    database.close();
  }
});
