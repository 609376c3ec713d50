import { test } from 'node:test';
import assert from 'node:assert/strict';
import { toInvocationRecord } from '../../src/metering/invocation-record.js';
import { handleInvocationsApi, handleUsageApi } from '../../src/metering/usage-api.js';
import type { UsageReport } from '../../src/metering/usage-report.js';
import { SqliteMeteringStore } from '../../src/store/sqlite/sqlite-metering-store.js';
import type { InvocationRecord } from '../../src/store/metering-store.js';
import { FakeClock } from './fake-clock.js';
import { batchOf, finished } from './events.js';
import { openTempDatabase } from './sqlite-fixture.js';

const HOUR = 3_600_000;

async function withApi(body: (deps: { store: SqliteMeteringStore; clock: FakeClock }) => Promise<void>): Promise<void> {
  const database = openTempDatabase();
  const clock = new FakeClock();
  const store = new SqliteMeteringStore(database.db, clock);
  const now = clock.now();
  await store.writeBatch(batchOf([
    toInvocationRecord(finished({ id: 'old', startedAt: now - 30 * HOUR })),
    toInvocationRecord(finished({ id: 'a', startedAt: now - HOUR, functionName: 'checkout' })),
    toInvocationRecord(finished({ id: 'b', startedAt: now - HOUR, functionName: 'cart' })),
    toInvocationRecord(finished({ id: 'c', startedAt: now - HOUR, app: 'blog', functionName: 'render' })),
  ]));
  try {
    await body({ store, clock });
  } finally {
    database.close();
  }
}

test('GET usage defaults to the last 24 hours by function', async () => {
  await withApi(async (deps) => {
    const answer = await handleUsageApi(new URLSearchParams(''), deps);
    assert.equal(answer.status, 200);
    const report = answer.body as UsageReport;
    assert.equal(report.by, 'function');
    assert.equal(report.since, deps.clock.now() - 24 * HOUR);
    assert.deepEqual(report.rows.map((r) => r.key), ['blog/render', 'shop/cart', 'shop/checkout']);
    const twoDays = (await handleUsageApi(new URLSearchParams('app=shop&since=2d&by=day'), deps)).body as UsageReport;
    assert.deepEqual(twoDays.rows.map((r) => [r.key, r.invocations]), [['2026-01-14', 1], ['2026-01-15', 2]]);
  });
});

test('GET usage answers 400 naming the bad parameter', async () => {
  await withApi(async (deps) => {
    for (const [query, field] of [
      ['by=week', 'by'],
      ['since=yesterday', 'since'],
      ['app=no%20spaces', 'app'],
    ] as const) {
      const answer = await handleUsageApi(new URLSearchParams(query), deps);
      assert.equal(answer.status, 400, query);
      assert.deepEqual((answer.body as { error: { code: string; field: string } }).error.field, field);
      assert.equal((answer.body as { error: { code: string } }).error.code, 'NIMBUS_ERR_QUERY_INVALID');
    }
  });
});

test('GET invocation-records lists the newest records, filtered and limited', async () => {
  await withApi(async (deps) => {
    const ids = async (query: string): Promise<string[]> => {
      const answer = await handleInvocationsApi(new URLSearchParams(query), deps);
      assert.equal(answer.status, 200, query);
      return (answer.body as { records: InvocationRecord[] }).records.map((r) => r.id);
    };
    assert.deepEqual(await ids(''), ['c', 'b', 'a', 'old']);
    assert.deepEqual(await ids('app=shop'), ['b', 'a', 'old']);
    assert.deepEqual(await ids('app=shop&fn=cart'), ['b']);
    assert.deepEqual(await ids('limit=2'), ['c', 'b']);
    for (const query of ['limit=0', 'limit=1001', 'limit=ten', 'fn=cart']) {
      assert.equal((await handleInvocationsApi(new URLSearchParams(query), deps)).status, 400, query);
    }
  });
});
