/**
 * What every TimerStore implementation promises. Each implementation's test
 * file calls `runTimerStoreContract` with a factory for fresh, empty stores;
 * `anotherNode` opens a second store on the same data, as another node of a
 * cluster (or the same node restarted) would.
 */
import { describe } from 'node:test';
import assert from 'node:assert/strict';
import { withFreshStore } from './contract-harness.js';
import {
  TIMER_FAILED_RUN_HISTORY_LIMIT,
  TIMER_RUN_HISTORY_LIMIT,
  type TimerRegistration,
  type TimerStore,
} from '../../src/store/timer-store.js';
import { FakeClock } from '../helpers/fake-clock.js';

export interface TimerStoreHarness {
  store: TimerStore;
  clock: FakeClock;
  anotherNode(): Promise<TimerStore>;
  close(): Promise<void>;
}

export const TIMER_CONTRACT_START = Date.parse('2026-05-01T10:00:00.000Z');
const HOUR = 3_600_000;

function registration(overrides: Partial<TimerRegistration> = {}): TimerRegistration {
  return { id: 'shop/cleanup', app: 'shop', functionName: 'cleanup', version: 1, cron: '0 * * * *', timezone: 'UTC', settings: { cron: '0 * * * *' }, ...overrides };
}

export function runTimerStoreContract(name: string, newHarness: () => Promise<TimerStoreHarness>): void {
  const withStore = withFreshStore(newHarness);

  describe(`TimerStore contract: ${name}`, () => {
    withStore('a claim is a running run of this node, claimed now, with nothing fired yet', async ({ store, clock }) => {
      const at = TIMER_CONTRACT_START + HOUR;
      const run = await store.claim('shop/cleanup', at, 'node-a');
      assert.ok(run);
      assert.equal(typeof run.id, 'number');
      assert.deepEqual({ ...run, id: 0 }, {
        id: 0, timerId: 'shop/cleanup', scheduledAt: at, reason: 'schedule', nodeId: 'node-a', claimedAt: clock.now(),
        firedAt: null, attempts: 0, outcome: 'running', error: null, finishedAt: null, nextAttemptAt: null, isPastDue: false, missed: 0,
      });
    });

    withStore('a scheduled time can be claimed once, by whichever node comes first; per timer and per time', async ({ store, anotherNode }) => {
      const other = await anotherNode();
      const at = TIMER_CONTRACT_START + HOUR;
      assert.ok(await store.claim('shop/cleanup', at, 'node-a'));
      assert.equal(await other.claim('shop/cleanup', at, 'node-b'), undefined);
      assert.equal(await store.claim('shop/cleanup', at, 'node-a'), undefined, 'not twice by the same node either');
      assert.equal(await other.claim('shop/cleanup', at, 'node-b', { skipped: 'busy' }), undefined, 'nor as a skip');
      assert.ok(await other.claim('shop/other', at, 'node-b'), 'claims are per timer');
      assert.ok(await other.claim('shop/cleanup', at + HOUR, 'node-b'), 'and per time');
      const runs = await other.listRuns('shop/cleanup', 10);
      assert.deepEqual(runs.map((r) => [r.scheduledAt, r.nodeId]), [[at + HOUR, 'node-b'], [at, 'node-a']], "each node sees the other's claims");
    });

    withStore('many nodes claiming the same time at once: exactly one gets it', async ({ store, anotherNode }) => {
      const nodes = [store, await anotherNode(), await anotherNode()];
      const at = TIMER_CONTRACT_START + HOUR;
      const claims = await Promise.all(
        Array.from({ length: 12 }, (_, n) => nodes[n % nodes.length]!.claim('shop/cleanup', at, `node-${n}`)),
      );
      assert.equal(claims.filter((c) => c !== undefined).length, 1);
      assert.equal((await store.listRuns('shop/cleanup', 100)).length, 1);
    });

    withStore('startup and manual runs are recorded every time, even at an already claimed instant', async ({ store }) => {
      const at = TIMER_CONTRACT_START;
      assert.ok(await store.claim('shop/cleanup', at, 'n', { reason: 'schedule' }));
      assert.ok(await store.claim('shop/cleanup', at, 'n', { reason: 'manual' }));
      assert.ok(await store.claim('shop/cleanup', at, 'n', { reason: 'manual' }));
      assert.ok(await store.claim('shop/cleanup', at, 'n', { reason: 'startup' }));
      assert.equal(await store.claim('shop/cleanup', at, 'n', { reason: 'schedule' }), undefined, 'they do not take the scheduled claim');
      assert.deepEqual((await store.listRuns('shop/cleanup', 10)).map((r) => r.reason), ['startup', 'manual', 'manual', 'schedule']);
    });

    withStore('a manual run does not take a scheduled time: the schedule can still claim it', async ({ store }) => {
      const at = TIMER_CONTRACT_START;
      assert.ok(await store.claim('shop/cleanup', at, 'n', { reason: 'manual' }));
      assert.ok(await store.claim('shop/cleanup', at, 'n'));
    });

    withStore('a skipped claim takes the time, finished now, with the reason', async ({ store, clock }) => {
      await clock.advance(1_234);
      const run = await store.claim('shop/cleanup', TIMER_CONTRACT_START, 'n', { skipped: 'still going', isPastDue: true, missed: 2 });
      assert.deepEqual(
        [run?.outcome, run?.error, run?.finishedAt, run?.claimedAt, run?.firedAt, run?.isPastDue, run?.missed],
        ['skipped', 'still going', clock.now(), clock.now(), null, true, 2],
      );
      assert.equal(await store.claim('shop/cleanup', TIMER_CONTRACT_START, 'n'), undefined, 'a skipped time is not run later');
    });

    withStore('runs are updated field by field as they progress; fields not named are left alone', async ({ store, clock }) => {
      const first = (await store.claim('shop/cleanup', 1_000, 'n', { isPastDue: true, missed: 3 }))!;
      await store.updateRun(first.id, { firedAt: 1_500, attempts: 1, error: 'boom', nextAttemptAt: 2_500 });
      let [run] = await store.listRuns('shop/cleanup', 1);
      assert.deepEqual([run?.firedAt, run?.attempts, run?.error, run?.nextAttemptAt, run?.outcome], [1_500, 1, 'boom', 2_500, 'running']);
      await store.updateRun(first.id, {});
      await store.updateRun(first.id, { attempts: 2, outcome: 'ok', error: null, finishedAt: 3_000, nextAttemptAt: null });
      [run] = await store.listRuns('shop/cleanup', 1);
      assert.deepEqual(
        { ...run, id: 0 },
        { id: 0, timerId: 'shop/cleanup', scheduledAt: 1_000, reason: 'schedule', nodeId: 'n', claimedAt: clock.now(), firedAt: 1_500, attempts: 2, outcome: 'ok', error: null, finishedAt: 3_000, nextAttemptAt: null, isPastDue: true, missed: 3 },
      );
      await store.updateRun(first.id + 1_000_000, { outcome: 'ok' });
      assert.equal((await store.listRuns('shop/cleanup', 10)).length, 1, 'updating a run that is gone is harmless');
    });

    withStore('runs are listed newest claim first, up to the limit, whatever their scheduled times', async ({ store, clock }) => {
      const order = [5_000, 1_000, 3_000];
      for (const at of order) {
        await store.claim('shop/cleanup', at, 'n');
        await clock.advance(1);
      }
      assert.deepEqual((await store.listRuns('shop/cleanup', 10)).map((r) => r.scheduledAt), [3_000, 1_000, 5_000]);
      assert.deepEqual((await store.listRuns('shop/cleanup', 2)).map((r) => r.scheduledAt), [3_000, 1_000]);
      assert.deepEqual(await store.listRuns('shop/none', 10), []);
    });

    withStore(`history keeps the newest ${TIMER_RUN_HISTORY_LIMIT} runs per timer, plus failed ones up to ${TIMER_FAILED_RUN_HISTORY_LIMIT}, and every running one`, async ({ store }) => {
      let at = 0;
      const failed = (await store.claim('shop/cleanup', ++at, 'n'))!;
      await store.updateRun(failed.id, { outcome: 'error', error: 'exhausted', attempts: 5, finishedAt: at });
      const stillRunning = (await store.claim('shop/cleanup', ++at, 'n'))!;
      const skippedEarly = (await store.claim('shop/cleanup', ++at, 'n', { skipped: 'busy' }))!;
      for (let i = 0; i < TIMER_RUN_HISTORY_LIMIT + 20; i++) {
        const run = (await store.claim('shop/cleanup', ++at, 'n'))!;
        await store.updateRun(run.id, { outcome: 'ok', finishedAt: at });
      }
      await store.claim('shop/other', 1, 'n');

      const runs = await store.listRuns('shop/cleanup', 1_000);
      assert.equal(runs.length, TIMER_RUN_HISTORY_LIMIT + 2, 'the newest runs, the failed one and the running one');
      assert.ok(runs.some((r) => r.id === failed.id && r.error === 'exhausted'), 'the exhausted run is kept for inspection');
      assert.ok(runs.some((r) => r.id === stillRunning.id), 'a run in progress is never pruned');
      assert.ok(!runs.some((r) => r.id === skippedEarly.id), 'an old skipped run is pruned');
      assert.equal((await store.listRuns('shop/other', 10)).length, 1, 'other timers are untouched');
    });

    withStore('a new timer starts its schedule now; re-registering keeps the cursor unless the cron or time zone changed', async ({ store, clock }) => {
      const [created] = await store.registerTimers([registration()]);
      assert.deepEqual(created, { ...registration(), lastScheduledAt: clock.now(), nextAt: null, createdAt: clock.now(), updatedAt: clock.now() });

      await store.advanceTimer('shop/cleanup', TIMER_CONTRACT_START + 3 * HOUR);
      await clock.advance(86_400_000);
      const [redeployed] = await store.registerTimers([registration({ version: 2, settings: { cron: '0 * * * *', retries: 2 } })]);
      assert.equal(redeployed?.version, 2);
      assert.deepEqual(redeployed?.settings, { cron: '0 * * * *', retries: 2 });
      assert.equal(redeployed?.lastScheduledAt, TIMER_CONTRACT_START + 3 * HOUR, 'a new version of the same schedule catches up from where it stopped');
      assert.equal(redeployed?.createdAt, TIMER_CONTRACT_START, 'created once');
      assert.equal(redeployed?.updatedAt, clock.now());

      await clock.advance(1_000);
      const [rescheduled] = await store.registerTimers([registration({ version: 3, cron: '*/5 * * * *' })]);
      assert.equal(rescheduled?.lastScheduledAt, clock.now(), 'a changed schedule does not catch up the old one');
      await clock.advance(1_000);
      const [rezoned] = await store.registerTimers([registration({ version: 3, cron: '*/5 * * * *', timezone: 'Europe/Berlin' })]);
      assert.equal(rezoned?.timezone, 'Europe/Berlin');
      assert.equal(rezoned?.lastScheduledAt, clock.now(), 'a changed time zone does not catch up either');
      assert.deepEqual(await store.getTimer('shop/cleanup'), rezoned);
    });

    withStore('registerTimers answers the records in the order given; timers are listed by id', async ({ store }) => {
      const ids = ['shop/report', 'blog/digest', 'shop/cleanup'];
      const records = await store.registerTimers(ids.map((id) => registration({ id, app: id.split('/')[0]!, functionName: id.split('/')[1]! })));
      assert.deepEqual(records.map((r) => r.id), ids);
      assert.deepEqual((await store.listTimers()).map((r) => r.id), ['blog/digest', 'shop/cleanup', 'shop/report']);
      assert.deepEqual(await store.registerTimers([]), []);
    });

    withStore('a listing shares one frozen settings object per distinct stored text', async ({ store }) => {
      const hourly = { cron: '0 * * * *', backoff: { initialMs: 1000, maxMs: 5000 } };
      await store.registerTimers([
        registration({ id: 'shop/a', functionName: 'a', settings: hourly }),
        registration({ id: 'shop/b', functionName: 'b', settings: { ...hourly } }),
        registration({ id: 'shop/c', functionName: 'c', settings: { cron: '*/5 * * * *' } }),
      ]);
      const [a, b, c] = await store.listTimers();
      assert.equal(a!.settings, b!.settings, 'equal settings: one object');
      assert.notEqual(a!.settings, c!.settings);
      assert.deepEqual(a!.settings, hourly);
      assert.ok(Object.isFrozen(a!.settings) && Object.isFrozen(a!.settings['backoff']), 'read, never changed: frozen through');
      assert.ok(Object.isFrozen((await store.getTimer('shop/c'))!.settings), 'a single record\'s too');
    });

    withStore('a long listing read with a pause between pages is the same listing, its settings shared across pages', async ({ store }) => {
      const hourly = { cron: '0 * * * *' };
      const daily = { cron: '0 3 * * *' };
      // More than a page of the stores that read in pages (500).
      const ids = Array.from({ length: 1_101 }, (_, i) => `app${String(i).padStart(4, '0')}/t`);
      await store.registerTimers(ids.map((id, i) => registration({ id, app: id.split('/')[0]!, functionName: 't', settings: i % 2 ? { ...daily } : { ...hourly } })));
      let pauses = 0;
      const paged = await store.listTimers({ between: async () => void pauses++ });
      assert.deepEqual(paged, await store.listTimers());
      assert.deepEqual(paged.map((r) => r.id), ids);
      assert.ok(pauses <= 2, `a pause only between pages (${pauses})`);
      assert.equal(paged[0]!.settings, paged[1_100]!.settings, 'equal settings are one object across the whole listing');
      assert.equal(paged[1]!.settings, paged[999]!.settings);
    });

    withStore('the cursor only moves forward, and only for a registered timer', async ({ store, clock }) => {
      await store.registerTimers([registration()]);
      await store.advanceTimer('shop/cleanup', TIMER_CONTRACT_START + 3 * HOUR);
      await store.advanceTimer('shop/cleanup', TIMER_CONTRACT_START + 2 * HOUR);
      assert.equal((await store.getTimer('shop/cleanup'))?.lastScheduledAt, TIMER_CONTRACT_START + 3 * HOUR, 'never moves backward');
      await store.advanceTimer('shop/none', clock.now() + HOUR);
      assert.equal(await store.getTimer('shop/none'), undefined, 'advancing an unknown timer registers nothing');
    });

    withStore('a next time is kept for its cursor and schedule: moved with the cursor, cleared when either changes', async ({ store, clock }) => {
      const cursor = clock.now();
      await store.registerTimers([registration(), registration({ id: 'shop/report', functionName: 'report' })]);
      const cron = registration().cron;
      await store.rememberNextTimes([
        { id: 'shop/cleanup', after: cursor, cron, timezone: 'UTC', nextAt: cursor + HOUR },
        { id: 'shop/report', after: cursor - 1, cron, timezone: 'UTC', nextAt: cursor + HOUR },
        { id: 'shop/none', after: cursor, cron, timezone: 'UTC', nextAt: cursor + HOUR },
      ]);
      await store.rememberNextTimes([]);
      assert.equal((await store.getTimer('shop/cleanup'))?.nextAt, cursor + HOUR);
      assert.equal((await store.getTimer('shop/report'))?.nextAt, null, 'worked out for another cursor: left alone');
      assert.equal(await store.getTimer('shop/none'), undefined, 'remembering registers nothing');

      await store.rememberNextTimes([{ id: 'shop/report', after: cursor, cron: '*/5 * * * *', timezone: 'UTC', nextAt: cursor + 1 }]);
      assert.equal((await store.getTimer('shop/report'))?.nextAt, null, 'worked out for another schedule: left alone');

      await clock.advance(1_000);
      const [redeployed] = await store.registerTimers([registration({ version: 2 })]);
      assert.equal(redeployed?.nextAt, cursor + HOUR, 'a new version on the same schedule keeps it');

      const on = (at: number, schedule = cron) => ({ at, cron: schedule, timezone: 'UTC' });
      await store.advanceTimer('shop/cleanup', cursor + HOUR, on(cursor + 2 * HOUR));
      assert.equal((await store.getTimer('shop/cleanup'))?.nextAt, cursor + 2 * HOUR, 'moves with the cursor');
      await store.advanceTimer('shop/cleanup', cursor, on(cursor + 7));
      assert.equal((await store.getTimer('shop/cleanup'))?.nextAt, cursor + 2 * HOUR, 'a cursor asked to move back keeps its next time');
      await store.advanceTimer('shop/cleanup', cursor + HOUR);
      assert.equal((await store.getTimer('shop/cleanup'))?.nextAt, cursor + 2 * HOUR, 'an advance to the same cursor without one (another node, late) keeps it');
      await store.advanceTimer('shop/cleanup', cursor + 2 * HOUR, on(cursor + 3 * HOUR, '*/5 * * * *'));
      assert.equal((await store.getTimer('shop/cleanup'))?.lastScheduledAt, cursor + 2 * HOUR, 'the cursor moves');
      assert.equal((await store.getTimer('shop/cleanup'))?.nextAt, null, 'a next time worked out on another schedule (a node on the old version): not kept');
      await store.advanceTimer('shop/cleanup', cursor + 2 * HOUR, on(cursor + 3 * HOUR));
      assert.equal((await store.getTimer('shop/cleanup'))?.nextAt, cursor + 3 * HOUR);
      await store.advanceTimer('shop/cleanup', cursor + 3 * HOUR);
      assert.equal((await store.getTimer('shop/cleanup'))?.nextAt, null, 'a cursor moved without one (a writer that does not know them): the old one no longer counts');

      await store.rememberNextTimes([{ id: 'shop/cleanup', after: cursor + 2 * HOUR, cron, timezone: 'UTC', nextAt: cursor + 3 * HOUR }]);
      const [rescheduled] = await store.registerTimers([registration({ version: 3, cron: '*/5 * * * *' })]);
      assert.equal(rescheduled?.nextAt, null, 'a changed schedule clears it');
      assert.deepEqual((await store.listTimers()).map((t) => [t.id, t.nextAt]), [['shop/cleanup', null], ['shop/report', null]]);
    });

    withStore('not found: an unknown timer is undefined, has no runs, and removing it is harmless', async ({ store }) => {
      assert.equal(await store.getTimer('shop/none'), undefined);
      assert.deepEqual(await store.listTimers(), []);
      assert.deepEqual(await store.listRuns('shop/none', 10), []);
      assert.deepEqual(await store.listLastRuns(), []);
      await store.removeTimers(['shop/none']);
      await store.removeTimers([]);
      assert.equal(await store.interruptRuns('node-a', 'stopped'), 0);
    });

    withStore('removing a timer forgets it and its runs; the newest run of each timer is one call away', async ({ store }) => {
      await store.registerTimers([registration(), registration({ id: 'shop/report', functionName: 'report' })]);
      await store.claim('shop/cleanup', 1, 'n');
      await store.claim('shop/cleanup', 2, 'n', { skipped: 'busy' });
      await store.claim('shop/report', 1, 'n');
      await store.claim('shop/unregistered', 7, 'n');
      const pairs = async (firedOnly: boolean) => (await store.listLastRuns({ firedOnly })).map((r) => [r.timerId, r.scheduledAt]).sort();
      assert.deepEqual(await pairs(false), [['shop/cleanup', 2], ['shop/report', 1], ['shop/unregistered', 7]]);
      assert.deepEqual(await pairs(true), [['shop/cleanup', 1], ['shop/report', 1], ['shop/unregistered', 7]]);

      await store.removeTimers(['shop/cleanup', 'shop/unregistered']);
      assert.deepEqual((await store.listTimers()).map((r) => r.id), ['shop/report']);
      assert.equal(await store.getTimer('shop/cleanup'), undefined);
      assert.deepEqual(await store.listRuns('shop/cleanup', 10), []);
      assert.deepEqual(await pairs(false), [['shop/report', 1]]);
    });

    withStore("interrupting ends this node's running runs now, with the reason; finished runs and other nodes' are left alone", async ({ store, clock, anotherNode }) => {
      const other = await anotherNode();
      const mine = (await store.claim('shop/cleanup', 1, 'node-a'))!;
      await store.updateRun(mine.id, { firedAt: 1, attempts: 1, nextAttemptAt: 5_000 });
      const done = (await store.claim('shop/cleanup', 2, 'node-a'))!;
      await store.updateRun(done.id, { outcome: 'ok', finishedAt: 3 });
      const theirs = (await other.claim('shop/cleanup', 3, 'node-b'))!;
      await clock.advance(60_000);
      assert.equal(await store.interruptRuns('node-a', 'stopped'), 1);
      const runs = new Map((await other.listRuns('shop/cleanup', 10)).map((r) => [r.id, r]));
      const interrupted = runs.get(mine.id);
      assert.deepEqual(
        [interrupted?.outcome, interrupted?.error, interrupted?.finishedAt, interrupted?.nextAttemptAt, interrupted?.attempts],
        ['interrupted', 'stopped', clock.now(), null, 1],
      );
      assert.equal(runs.get(done.id)?.outcome, 'ok');
      assert.equal(runs.get(theirs.id)?.outcome, 'running');
      assert.equal(await store.interruptRuns('node-a', 'stopped again'), 0, 'already interrupted');
    });
  });
}
