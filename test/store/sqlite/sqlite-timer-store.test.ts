import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runTimerStoreContract, TIMER_CONTRACT_START } from '../timer-store.contract.js';
import { FakeClock } from '../../helpers/fake-clock.js';
import { SqliteTimerStore, TIMER_LIST_PAGE } from '../../../src/store/sqlite/sqlite-timer-store.js';
import { TempDatabase } from '../../triggers/timer/fixtures.js';

runTimerStoreContract('sqlite', async () => {
  const temp = new TempDatabase();
  const clock = new FakeClock(TIMER_CONTRACT_START);
  return {
    store: temp.store(clock),
    clock,
    // Another connection to the same file, as another node sharing it (or this one restarted) has.
    anotherNode: async () => temp.store(clock),
    async close() {
      temp.cleanup();
    },
  };
});

test('claims are kept in the file: a node restarted on it finds its scheduled times taken and its runs to interrupt', async (t) => {
  const temp = new TempDatabase();
  t.after(() => temp.cleanup());
  const clock = new FakeClock(TIMER_CONTRACT_START);
  const first = temp.open();
  const before = new SqliteTimerStore(first, clock);
  await before.registerTimers([{ id: 'shop/cleanup', app: 'shop', functionName: 'cleanup', version: 1, cron: '0 * * * *', timezone: 'UTC', settings: {} }]);
  assert.ok(await before.claim('shop/cleanup', TIMER_CONTRACT_START, 'node-a'));
  first.close();

  const after = temp.store(clock);
  assert.equal(await after.claim('shop/cleanup', TIMER_CONTRACT_START, 'node-a'), undefined);
  assert.equal(await after.interruptRuns('node-a', 'restarted'), 1);
  assert.equal((await after.getTimer('shop/cleanup'))?.lastScheduledAt, TIMER_CONTRACT_START);
});

test('the once-per-time claim is a partial unique index on scheduled runs', async (t) => {
  const temp = new TempDatabase();
  t.after(() => temp.cleanup());
  const db = temp.open();
  temp.store(new FakeClock(TIMER_CONTRACT_START));
  const sql = db.prepare("SELECT sql FROM sqlite_master WHERE name = 'timer_runs_schedule_claim'").pluck().get() as string;
  assert.match(sql, /UNIQUE INDEX.*\(timer_id, scheduled_at\)\s+WHERE reason = 'schedule'/s);
});

test('a listing longer than a page reads in pages, with the caller\'s pause between each two', async (t) => {
  const temp = new TempDatabase();
  t.after(() => temp.cleanup());
  const store = temp.store(new FakeClock(TIMER_CONTRACT_START));
  const count = 2 * TIMER_LIST_PAGE + 1;
  await store.registerTimers(Array.from({ length: count }, (_, i) => ({
    id: `app${i}/t`, app: `app${i}`, functionName: 't', version: 1, cron: '0 * * * *', timezone: 'UTC', settings: { cron: '0 * * * *' },
  })));
  let pauses = 0;
  assert.equal((await store.listTimers({ between: async () => void pauses++ })).length, count);
  assert.equal(pauses, 2, 'three pages');
});
