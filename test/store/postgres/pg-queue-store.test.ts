import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { PgQueueStore } from '../../../src/store/postgres/pg-queue-store.js';
import { PgNotifications } from '../../../src/store/postgres/pg-notifications.js';
import { PgDatabase } from '../../../src/store/postgres/pg-database.js';
import { CONTRACT_NODE_ID, runQueueStoreContract } from '../queue-store.contract.js';
import { postgresUnavailable } from '../../helpers/postgres-server.js';
import { FakeClock } from '../../helpers/fake-clock.js';
import { freshMigratedDatabase, freshPostgresStore } from './helpers.js';

const skip = postgresUnavailable();

/** A store as a node makes it: its own pool and listening connection on the shared database. */
async function openNode(url: string, clock: FakeClock, nodeId: string): Promise<{ store: PgQueueStore; close(): Promise<void> }> {
  const db = new PgDatabase(url, { poolSize: 4 });
  const notifications = new PgNotifications(url);
  await notifications.start();
  const store = new PgQueueStore(db, clock, { nodeId, notifications });
  await store.ready();
  return {
    store,
    async close() {
      await store.close();
      await notifications.close();
      await db.close();
    },
  };
}

if (skip) {
  test('PostgreSQL queue store', { skip }, () => {});
} else {
  let closeNode: (() => Promise<void>) | undefined;
  runQueueStoreContract('postgres', freshPostgresStore(async (_db, clock, url) => {
    const node = await openNode(url, clock, CONTRACT_NODE_ID);
    closeNode = node.close;
    return node.store;
  }, async () => {
    await closeNode?.();
  }));
}

/** Waits, by wall clock with a bound, for something another node's notification causes. */
async function eventually(condition: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('PgQueueStore: two nodes on one database', { skip }, () => {
  async function twoNodes(t: { after(fn: () => Promise<void>): void }) {
    const database = await freshMigratedDatabase();
    const clock = new FakeClock();
    const a = await openNode(database.url, clock, 'node-a');
    const b = await openNode(database.url, clock, 'node-b');
    t.after(async () => {
      await a.close();
      await b.close();
      await database.close();
    });
    return { a: a.store, b: b.store, clock };
  }

  test('concurrent receives on both nodes never lease the same message', async (t) => {
    const { a, b } = await twoNodes(t);
    const total = 400;
    await a.send('work', Array.from({ length: total }, (_, n) => ({ body: n })));
    const seen: number[] = [];
    const drain = async (store: PgQueueStore) => {
      for (;;) {
        const got = await store.receive('work', 7, 60_000);
        if (got.length === 0) return;
        seen.push(...got.map((m) => m.body as number));
      }
    };
    await Promise.all([drain(a), drain(b), drain(a), drain(b), drain(a), drain(b)]);
    assert.equal(seen.length, total, 'every message once');
    assert.equal(new Set(seen).size, total, 'none twice');
  });

  test('a send on one node wakes onSend listeners on the other', async (t) => {
    const { a, b } = await twoNodes(t);
    let heardOnB = 0;
    b.onSend('orders', () => heardOnB++);
    await a.send('orders', [{ body: 1 }, { body: 2 }]);
    await eventually(() => heardOnB === 1, 'node b to hear the send');
    assert.deepEqual((await b.receive('orders', 10, 30_000)).map((m) => m.body), [1, 2]);
  });

  test('maxInFlight holds across both nodes under concurrent receives', async (t) => {
    const { a, b } = await twoNodes(t);
    await a.send('capped', Array.from({ length: 100 }, (_, n) => ({ body: n })));
    const cap = 3;
    const batchSize = 2;
    const leased = await Promise.all(
      Array.from({ length: 12 }, (_, n) => (n % 2 ? a : b).receive('capped', 4, 60_000, { maxInFlight: cap, batchSize })),
    );
    const all = leased.flat();
    assert.equal(all.length, cap * batchSize, 'exactly the cap, in batches');
    assert.equal(new Set(all.map((m) => m.id)).size, all.length);
    assert.deepEqual(await b.receive('capped', 4, 60_000, { maxInFlight: cap, batchSize }), [], 'at the cap');
    // An ack on one node frees a batch for the other.
    await a.ack(leased.find((got) => got.length > 0)!.slice(0, batchSize).map((m) => m.id));
    assert.equal((await b.receive('capped', 4, 60_000, { maxInFlight: cap, batchSize })).length, batchSize, 'one batch freed, one leased');
  });

  test('the leases of a dead node end: its messages are ready at once on the other, counted as an attempt', async (t) => {
    const { a, b } = await twoNodes(t);
    let woken = 0;
    b.onSend('jobs', () => woken++);
    await a.send('jobs', [{ body: 'x' }, { body: 'y' }]);
    await eventually(() => woken === 1, 'the send to reach b');
    assert.equal((await a.receive('jobs', 10, 60_000)).length, 2);
    assert.deepEqual(await b.receive('jobs', 10, 60_000), []);
    assert.equal(await b.releaseLeasesOf('node-a'), 2);
    const again = await b.receive('jobs', 10, 60_000);
    assert.deepEqual(again.map((m) => [m.body, m.attempts]), [['x', 1], ['y', 1]]);
    assert.match(again[0]!.lastError ?? '', /node holding the lease stopped/);
    assert.equal(await b.releaseLeasesOf('node-a'), 0);
  });
});
