/**
 * What every QueueStore implementation promises. Each implementation's test
 * file calls `runQueueStoreContract` with a factory for fresh, empty stores.
 */
import { describe } from 'node:test';
import assert from 'node:assert/strict';
import { withFreshStore } from './contract-harness.js';
import { NimbusError } from '../../src/shared/errors.js';
import { DEDUP_WINDOW_MS, MAX_MESSAGE_BYTES, type QueueStore } from '../../src/store/queue-store.js';
import { FakeClock, settle } from '../helpers/fake-clock.js';

export interface QueueStoreHarness {
  store: QueueStore;
  clock: FakeClock;
  close(): Promise<void>;
}

/** The node id every contract store is made with. */
export const CONTRACT_NODE_ID = 'node-a';

export function runQueueStoreContract(name: string, newHarness: () => Promise<QueueStoreHarness>): void {
  const withStore = withFreshStore(newHarness);

  describe(`QueueStore contract: ${name}`, () => {
    withStore('queuesWithMessages names the queues of a prefix holding messages in any state, not the emptied ones', async ({ store }) => {
      await store.send('p.ready', [{ body: 1 }]);
      await store.send('p.leased', [{ body: 2 }]);
      await store.send('p.delayed', [{ body: 3, delayMs: 60_000 }]);
      const [done] = await store.send('p.emptied', [{ body: 4 }]);
      await store.send('other', [{ body: 5 }]);
      await store.receive('p.leased', 1, 30_000);
      await store.ack([done!.id]);
      assert.deepEqual((await store.queuesWithMessages('p.')).sort(), ['p.delayed', 'p.leased', 'p.ready']);
      assert.deepEqual(await store.queuesWithMessages('none.'), []);
    });

    withStore('delivers messages first in, first out, with body, attempt count and enqueue time', async ({ store, clock }) => {
      const sent = await store.send('orders', [{ body: { n: 1 } }, { body: 'two' }, { body: [3] }]);
      assert.equal(sent.length, 3);
      assert.equal(new Set(sent.map((s) => s.id)).size, 3);
      assert.ok(sent.every((s) => typeof s.id === 'string' && !s.duplicate));
      const got = await store.receive('orders', 10, 30_000);
      assert.deepEqual(got.map((m) => m.id), sent.map((s) => s.id));
      assert.deepEqual(got.map((m) => m.body), [{ n: 1 }, 'two', [3]]);
      assert.ok(got.every((m) => m.attempts === 0 && m.enqueuedAt === clock.now() && m.queue === 'orders' && m.lastError === null));
    });

    withStore('a large send mixing dedup ids, delays and plain messages gives each message its own id, in order', async ({ store, clock }) => {
      // More than one multi-row insert's worth, with dedup ids (and a duplicate within the send) breaking the runs.
      const messages = Array.from({ length: 150 }, (_, n) => ({
        body: { n },
        ...(n % 37 === 5 ? { dedupId: `d${n}` } : {}),
        ...(n === 100 ? { dedupId: 'd5' } : {}),
        ...(n % 50 === 7 ? { delayMs: 1_000 } : {}),
      }));
      const sent = await store.send('mixed', messages);
      assert.equal(sent.length, 150);
      assert.deepEqual(sent[100], { id: sent[5]!.id, duplicate: true });
      const fresh = sent.filter((s) => !s.duplicate);
      assert.equal(new Set(fresh.map((s) => s.id)).size, 149);
      await clock.advance(1_000);
      const got = await store.receive('mixed', 200, 30_000);
      const bodyOf = new Map(got.map((m) => [m.id, (m.body as { n: number }).n]));
      sent.forEach((s, n) => { if (!s.duplicate) assert.equal(bodyOf.get(s.id), n, `message ${n}`); });
      // One lease of all of them: within a batch, first in, first out.
      assert.deepEqual(got.map((m) => (m.body as { n: number }).n), messages.map((_, n) => n).filter((n) => n !== 100));
    });

    withStore('receive takes at most `max` and never hands a leased message out twice', async ({ store }) => {
      await store.send('q', [1, 2, 3, 4, 5].map((n) => ({ body: n })));
      const [a, b] = await Promise.all([store.receive('q', 2, 30_000), store.receive('q', 2, 30_000)]);
      const c = await store.receive('q', 10, 30_000);
      assert.ok(a!.length <= 2 && b!.length <= 2, `receives took ${a!.length} and ${b!.length}`);
      // Which of the two concurrent receives leases first is up to the backend's scheduling.
      const bodies = [...a!, ...b!, ...c].map((m) => m.body as number).sort((x, y) => x - y);
      assert.deepEqual(bodies, [1, 2, 3, 4, 5]);
      assert.deepEqual(await store.receive('q', 10, 30_000), []);
    });

    withStore('a lease that expires makes the message ready again and counts as an attempt', async ({ store, clock }) => {
      const { id } = (await store.send('q', [{ body: 'x' }]))[0]!;
      assert.equal((await store.receive('q', 1, 10_000)).length, 1);
      await clock.advance(9_999);
      assert.deepEqual(await store.receive('q', 1, 10_000), []);
      assert.equal(await store.nextVisibleAt('q'), clock.now() + 1);
      await clock.advance(1);
      const [again] = await store.receive('q', 1, 10_000);
      assert.equal(again!.id, id);
      assert.equal(again!.attempts, 1);
      assert.match(again!.lastError ?? '', /visibility timeout/);
    });

    withStore('ack deletes; acknowledging twice or an unknown id is harmless', async ({ store, clock }) => {
      const sent = await store.send('q', [{ body: 1 }, { body: 2 }]);
      await store.receive('q', 2, 1_000);
      await store.ack([sent[0]!.id, sent[0]!.id, 'nope', '999999']);
      await clock.advance(1_000);
      assert.deepEqual((await store.receive('q', 10, 1_000)).map((m) => m.body), [2]);
    });

    withStore('release returns a message after its delay, counting the attempt only when asked', async ({ store, clock }) => {
      const { id } = (await store.send('q', [{ body: 'x' }]))[0]!;
      await store.receive('q', 1, 30_000);
      await store.release(id, { delayMs: 500, countAttempt: false });
      assert.deepEqual(await store.receive('q', 1, 30_000), []);
      await clock.advance(500);
      let [m] = await store.receive('q', 1, 30_000);
      assert.equal(m!.attempts, 0);
      await store.release(id, { countAttempt: true, error: 'boom' });
      [m] = await store.receive('q', 1, 30_000);
      assert.equal(m!.attempts, 1);
      assert.equal(m!.lastError, 'boom');
    });

    withStore('a delayed message is invisible until its delay has passed', async ({ store, clock }) => {
      const t0 = clock.now();
      await store.send('q', [{ body: 'later', delayMs: 5_000 }, { body: 'now' }]);
      assert.deepEqual((await store.receive('q', 10, 30_000)).map((m) => m.body), ['now']);
      assert.equal(await store.nextVisibleAt('q'), t0 + 5_000);
      await clock.advance(4_999);
      assert.deepEqual(await store.receive('q', 10, 30_000), []);
      await clock.advance(1);
      assert.deepEqual((await store.receive('q', 10, 30_000)).map((m) => m.body), ['later']);
    });

    withStore('higher priority first, then first in, first out', async ({ store }) => {
      await store.send('q', [
        { body: 'low-1', priority: -1 },
        { body: 'mid-1' },
        { body: 'high-1', priority: 5 },
        { body: 'mid-2', priority: 0 },
        { body: 'high-2', priority: 5 },
      ]);
      assert.deepEqual((await store.receive('q', 2, 30_000)).map((m) => m.body), ['high-1', 'high-2']);
      assert.deepEqual((await store.receive('q', 10, 30_000)).map((m) => m.body), ['mid-1', 'mid-2', 'low-1']);
    });

    withStore('a dedupId seen within the window is dropped and answered with the original id', async ({ store, clock }) => {
      const [first] = await store.send('q', [{ body: 'a', dedupId: 'order-7' }]);
      // within one call, across calls, and after the original was acknowledged
      const again = await store.send('q', [{ body: 'b', dedupId: 'order-7' }, { body: 'c', dedupId: 'order-8' }, { body: 'd', dedupId: 'order-8' }]);
      assert.deepEqual(again.map((r) => r.duplicate), [true, false, true]);
      assert.equal(again[0]!.id, first!.id);
      assert.equal(again[2]!.id, again[1]!.id);
      assert.equal((await store.send('other', [{ body: 'e', dedupId: 'order-7' }]))[0]!.duplicate, false, 'dedup is per queue');
      const received = await store.receive('q', 10, 30_000);
      assert.deepEqual(received.map((m) => m.body), ['a', 'c']);
      await store.ack(received.map((m) => m.id));
      assert.equal((await store.send('q', [{ body: 'f', dedupId: 'order-7' }]))[0]!.duplicate, true);
      await clock.advance(DEDUP_WINDOW_MS);
      const late = await store.send('q', [{ body: 'g', dedupId: 'order-7' }]);
      assert.equal(late[0]!.duplicate, false);
      assert.notEqual(late[0]!.id, first!.id);
    });

    withStore('dead letters keep body, attempts and last error, and are redriven with attempts reset', async ({ store, clock }) => {
      const [a, b] = await store.send('jobs', [{ body: { job: 'a' } }, { body: { job: 'b' } }]);
      await store.receive('jobs', 2, 30_000);
      await store.release(a!.id, { countAttempt: true, error: 'first' });
      await store.receive('jobs', 1, 30_000);
      await store.deadLetter(a!.id, 'second');
      await store.deadLetter(b!.id, 'not counted', { countAttempt: false, queue: 'graveyard' });
      assert.deepEqual(await store.receive('jobs', 10, 30_000), []);

      const [dead] = await store.peek('jobs.dlq', 10);
      assert.equal(dead!.id, a!.id);
      assert.deepEqual(dead!.body, { job: 'a' });
      assert.equal(dead!.attempts, 2);
      assert.equal(dead!.lastError, 'second');
      assert.equal(dead!.deadLetteredFrom, 'jobs');
      assert.equal((await store.peek('graveyard', 10))[0]!.attempts, 0);
      const stats = new Map((await store.listQueues()).map((s) => [s.name, s]));
      assert.equal(stats.get('jobs')!.deadLettered, 2);
      assert.equal(stats.get('jobs.dlq')!.depth, 1);

      assert.equal(await store.redrive('jobs.dlq'), 1, 'by dead-letter queue');
      assert.equal(await store.redrive('jobs'), 1, 'by source queue, wherever its letters are');
      assert.equal(await store.redrive('jobs'), 0);
      await clock.advance(0);
      const back = await store.receive('jobs', 10, 30_000);
      assert.deepEqual(back.map((m) => [m.id, m.attempts, m.lastError]), [[a!.id, 0, null], [b!.id, 0, null]]);
    });

    withStore('peek shows messages in delivery order with their state and leases nothing', async ({ store, clock }) => {
      await store.send('q', [{ body: 1 }, { body: 2 }, { body: 3, delayMs: 1_000 }]);
      await store.receive('q', 1, 30_000);
      const peeked = await store.peek('q', 10);
      assert.deepEqual(peeked.map((m) => [m.body, m.state]), [[2, 'ready'], [3, 'delayed'], [1, 'in-flight']]);
      assert.equal(peeked[1]!.visibleAt, clock.now() + 1_000);
      assert.deepEqual((await store.peek('q', 1)).map((m) => m.body), [2]);
      assert.deepEqual((await store.receive('q', 10, 30_000)).map((m) => m.body), [2]);
      assert.deepEqual(await store.peek('nothing-here', 10), []);
    });

    withStore('purge deletes every message of the queue and no other', async ({ store }) => {
      await store.send('a', [{ body: 1 }, { body: 2, delayMs: 1_000 }]);
      await store.send('b', [{ body: 3 }]);
      await store.receive('a', 1, 30_000);
      assert.equal(await store.purge('a'), 2);
      assert.deepEqual(await store.peek('a', 10), []);
      assert.equal((await store.peek('b', 10)).length, 1);
    });

    withStore('listQueues reports depth, in flight, delayed, dead-lettered and the oldest age', async ({ store, clock }) => {
      await store.send('stats', [{ body: 1 }, { body: 2 }, { body: 3 }, { body: 4, delayMs: 60_000 }]);
      await store.send('_async.app.fn', [{ body: 1 }], { internal: true });
      await clock.advance(2_000);
      const [m] = await store.receive('stats', 1, 30_000);
      const [m2] = await store.receive('stats', 1, 30_000);
      await store.deadLetter(m2!.id, 'x');
      const all = await store.listQueues();
      const stats = all.find((s) => s.name === 'stats');
      assert.deepEqual(stats, { name: 'stats', internal: false, depth: 1, inFlight: 1, delayed: 1, deadLettered: 1, oldestAgeMs: 2_000 });
      assert.equal(all.find((s) => s.name === '_async.app.fn')!.internal, true);
      await store.ack([m!.id]);
      await store.purge('stats');
      await store.purge('stats.dlq');
      assert.deepEqual(
        (await store.listQueues()).find((s) => s.name === 'stats'),
        { name: 'stats', internal: false, depth: 0, inFlight: 0, delayed: 0, deadLettered: 0, oldestAgeMs: null },
        'a queue stays listed once it existed',
      );
    });

    withStore('queue names are checked; names starting with "_" need the internal flag', async ({ store }) => {
      for (const bad of ['', 'Orders', '-x', '.x', 'a b', 'a/b', 'x'.repeat(101)]) {
        await assert.rejects(store.send(bad, [{ body: 1 }]), (err: NimbusError) => err.code === 'NIMBUS_ERR_BODY_INVALID' && err.status === 400, bad);
      }
      await assert.rejects(store.send('_async.app.fn', [{ body: 1 }]), /reserved/);
      assert.equal((await store.send('_async.app.sendEmail', [{ body: 1 }], { internal: true })).length, 1);
      assert.equal((await store.send('a.b_c-9', [{ body: 1 }])).length, 1);
      assert.equal((await store.send('x'.repeat(100), [{ body: 1 }])).length, 1);
    });

    withStore('an oversized or malformed message refuses its call, naming it, and nothing else', async ({ store }) => {
      const big = 'x'.repeat(MAX_MESSAGE_BYTES); // its JSON has two quotes more than the limit allows
      const circular: Record<string, unknown> = {};
      circular.self = circular;
      const cases: [unknown, string, number][] = [
        [{ body: big }, 'NIMBUS_ERR_BODY_TOO_LARGE', 413],
        [{ body: 'é'.repeat(MAX_MESSAGE_BYTES / 2) }, 'NIMBUS_ERR_BODY_TOO_LARGE', 413],
        [{}, 'NIMBUS_ERR_BODY_INVALID', 400],
        [{ body: circular }, 'NIMBUS_ERR_BODY_INVALID', 400],
        [{ body: 10n }, 'NIMBUS_ERR_BODY_INVALID', 400],
        [{ body: 1, delayMs: -1 }, 'NIMBUS_ERR_BODY_INVALID', 400],
        [{ body: 1, delayMs: 1.5 }, 'NIMBUS_ERR_BODY_INVALID', 400],
        [{ body: 1, priority: 'high' }, 'NIMBUS_ERR_BODY_INVALID', 400],
        [{ body: 1, dedupId: '' }, 'NIMBUS_ERR_BODY_INVALID', 400],
        [null, 'NIMBUS_ERR_BODY_INVALID', 400],
      ];
      for (const [bad, code, status] of cases) {
        // Three calls in the same tick share a group commit: only the bad one fails.
        const before = store.send('mixed', [{ body: 'before' }]);
        const call = store.send('mixed', [{ body: 'same call' }, bad as never]);
        const after = store.send('mixed', [{ body: 'after' }]);
        await assert.rejects(call, (err: NimbusError) => {
          assert.equal(err.code, code);
          assert.equal(err.status, status);
          assert.equal(err.details?.index, 1);
          assert.match(err.message, /messages\[1\]/);
          return true;
        });
        await before;
        await after;
      }
      const bodies = (await store.receive('mixed', 100, 30_000)).map((m) => m.body);
      assert.deepEqual(bodies, cases.flatMap(() => ['before', 'after']));
      assert.equal((await store.send('mixed', [{ body: 'x'.repeat(MAX_MESSAGE_BYTES - 2) }])).length, 1, 'exactly at the limit is fine');
    });

    withStore('maxInFlight caps the batches in flight; acks, releases and expired leases free them', async ({ store, clock }) => {
      await store.send('capped', Array.from({ length: 20 }, (_, n) => ({ body: n })));
      const capped = { maxInFlight: 2, batchSize: 3 };
      const first = await store.receive('capped', 10, 10_000, capped);
      assert.deepEqual(first.map((m) => m.body), [0, 1, 2, 3, 4, 5], 'two batches of three');
      assert.deepEqual(await store.receive('capped', 10, 10_000, capped), [], 'at the cap');
      assert.equal((await store.receive('capped', 1, 10_000, { ...capped, consumer: 'other-function' })).length, 1, 'caps are per consumer');
      assert.equal((await store.receive('capped', 1, 10_000, { consumer: 'admin' })).length, 1, 'an uncapped receive is not held back');

      await store.ack([first[0]!.id, first[1]!.id]);
      assert.deepEqual(await store.receive('capped', 10, 10_000, capped), [], 'a batch is in flight until all of it is settled');
      await store.release(first[2]!.id, { countAttempt: false });
      assert.deepEqual((await store.receive('capped', 10, 10_000, capped)).map((m) => m.body), [2, 8, 9], 'one batch freed, one leased');

      const topUp = await store.receive('capped', 2, 10_000, { ...capped, joinBatchOf: first[3]!.id });
      assert.deepEqual(topUp.map((m) => m.body), [10, 11], 'topping up a batch in flight adds no batch');
      assert.deepEqual(await store.receive('capped', 10, 10_000, capped), []);

      await clock.advance(10_000);
      assert.equal((await store.receive('capped', 3, 10_000, capped)).length, 3, 'expired leases are no longer in flight');
      await assert.rejects(store.receive('capped', 1, 10_000, { maxInFlight: 0 }), RangeError);
    });

    withStore("releasing a node's leases makes its messages ready at once, each counted as an attempt", async ({ store }) => {
      const sent = await store.send('jobs', [{ body: 'a' }, { body: 'b' }, { body: 'c' }]);
      await store.receive('jobs', 2, 60_000);
      assert.equal(await store.releaseLeasesOf('some-other-node'), 0);
      assert.equal(await store.releaseLeasesOf(CONTRACT_NODE_ID), 2);
      const again = await store.receive('jobs', 10, 60_000);
      assert.deepEqual(again.map((m) => [m.id, m.attempts]), [[sent[0]!.id, 1], [sent[1]!.id, 1], [sent[2]!.id, 0]]);
      assert.match(again[0]!.lastError ?? '', /node holding the lease stopped/);
      assert.equal(await store.releaseLeasesOf(CONTRACT_NODE_ID), 3);
      assert.equal(await store.releaseLeasesOf(CONTRACT_NODE_ID), 0, 'nothing left to release');
    });

    withStore('onSend listeners hear about committed messages of their queue only', async ({ store }) => {
      const heard: string[] = [];
      const stop = store.onSend('a', () => heard.push('a'));
      store.onSend('b', () => heard.push('b'));
      let visible: Promise<number> | undefined;
      store.onSend('a', () => {
        visible ??= store.peek('a', 100).then((m) => m.length);
      });
      await store.send('a', [{ body: 1 }, { body: 2 }]);
      await settle();
      assert.deepEqual(heard, ['a']);
      assert.equal(await visible, 2, 'the messages are readable when listeners run');
      await store.send('c', [{ body: 1 }]);
      await store.send('b', [{ body: 1, dedupId: 'd' }]);
      await store.send('b', [{ body: 1, dedupId: 'd' }]);
      stop();
      await store.send('a', [{ body: 3 }]);
      await settle();
      assert.deepEqual(heard, ['a', 'b'], 'not for duplicates, not after unsubscribing');
    });
  });
}
