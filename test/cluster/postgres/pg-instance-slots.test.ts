import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { SlotLease } from '../../../src/cluster/instance-slots.js';
import { postgresUnavailable } from '../../helpers/postgres-server.js';
import { slotsCluster } from './slots-cluster.js';

const skip = postgresUnavailable();
const F = 'shop/checkout@1';

test('concurrent acquires on two nodes never hold more than max slots between them', { skip }, async (t) => {
  const cluster = await slotsCluster({ deadAfterMs: 60_000 });
  t.after(() => cluster.close());
  const [a, b] = [await cluster.node('node-a'), await cluster.node('node-b')];
  const max = 3;
  let holding = 0;
  let most = 0;
  // Each worker takes a slot, holds it for a moment, gives it back, and again.
  const worker = async (node: typeof a): Promise<number> => {
    let got = 0;
    for (let round = 0; round < 6; round++) {
      const lease = await node.slots.acquire(F, max, { waitMs: 10_000 });
      if (!lease) continue;
      got++;
      holding++;
      most = Math.max(most, holding);
      assert.ok((await node.slots.held(F)) <= max, 'the table never holds more than max');
      await new Promise<void>((resolve) => setImmediate(resolve));
      holding--;
      node.slots.release(lease);
    }
    return got;
  };
  const granted = await Promise.all([a, b, a, b, a, b, a, b].map(worker));
  assert.ok(most <= max, `at most ${max} held at once, saw ${most}`);
  assert.equal(granted.reduce((x, y) => x + y, 0), 48, 'every worker got its turns (waits end on slot-free)');
  await a.close();
  await b.close();
  assert.equal(await cluster.db.query('SELECT 1 FROM instance_slots').then((r) => r.length), 0, 'closing gives everything back');
});

test('a burst of acquires that do not wait gets exactly max slots', { skip }, async (t) => {
  const cluster = await slotsCluster({ deadAfterMs: 60_000 });
  t.after(() => cluster.close());
  const [a, b] = [await cluster.node('node-a'), await cluster.node('node-b')];
  const results = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).slots.acquire(F, 4, { waitMs: 0 })));
  assert.equal(results.filter(Boolean).length, 4);
  assert.equal(await a.slots.held(F), 4);
  assert.equal(await a.slots.acquire('shop/other@1', 1, { waitMs: 0 }) !== undefined, true, 'another function has its own slots');
});

test('a dead node\'s slots are granted again once its heartbeat is older than dead-after', { skip }, async (t) => {
  const deadAfterMs = 600;
  const cluster = await slotsCluster({ deadAfterMs });
  t.after(() => cluster.close());
  const [a, b] = [await cluster.node('node-a'), await cluster.node('node-b')];
  assert.ok(await a.slots.acquire(F, 2, { waitMs: 0 }));
  assert.ok(await a.slots.acquire(F, 2, { waitMs: 0 }));
  // node-a stops heartbeating now (killed); it had just heartbeated, so it counts as alive at first.
  await a.heartbeat();
  assert.equal(await b.slots.acquire(F, 2, { waitMs: 0 }), undefined, 'a live holder keeps its slots');
  const lease = await b.slots.acquire(F, 2, { waitMs: 10_000 });
  assert.ok(lease, 'granted after node-a was declared dead');
  const [row] = await cluster.db.query<{ age: number }>(
    "SELECT extract(epoch FROM clock_timestamp() - heartbeat_at) * 1000 AS age FROM test_cluster_nodes WHERE id = 'node-a'");
  assert.ok(Number(row?.age) >= deadAfterMs, 'not before node-a\'s heartbeat was older than dead-after');
  assert.ok(await b.slots.acquire(F, 2, { waitMs: 0 }), 'both of node-a\'s slots came back');
});

test('membership\'s onNodeDead frees a node\'s slots at once and wakes a waiting acquire', { skip }, async (t) => {
  const cluster = await slotsCluster({ deadAfterMs: 60_000, recheckMs: 60_000 });
  t.after(() => cluster.close());
  const [a, b] = [await cluster.node('node-a'), await cluster.node('node-b')];
  assert.ok(await a.slots.acquire(F, 1, { waitMs: 0 }));
  const waiting = b.slots.acquire(F, 1, { waitMs: 30_000 });
  await b.slots.releaseNode('node-a');
  assert.ok(await waiting, 'woken by slot-free, not by the (one-minute) re-check');
});

test('a node restarting under the same id gives back what its previous run held', { skip }, async (t) => {
  const cluster = await slotsCluster({ deadAfterMs: 60_000 });
  t.after(() => cluster.close());
  const first = await cluster.node('node-a');
  assert.ok(await first.slots.acquire(F, 1, { waitMs: 0 }));
  // The process died: no close, no release.
  await cluster.node('node-a');
  assert.equal(await first.slots.held(F), 0);
});

test('handoff: a node waiting for a slot asks, a holder stops an idle instance, the waiter gets its slot', { skip }, async (t) => {
  const cluster = await slotsCluster({ deadAfterMs: 60_000, recheckMs: 60_000 });
  t.after(() => cluster.close());
  const [a, b] = [await cluster.node('node-a'), await cluster.node('node-b')];
  const idle: SlotLease[] = [(await a.slots.acquire(F, 2, { waitMs: 0 }))!, (await a.slots.acquire(F, 2, { waitMs: 0 }))!];
  const asked: string[] = [];
  a.slots.onSlotWanted((key) => {
    asked.push(key);
    // What the dispatcher does: stop one idle instance of that function, whose exit releases its slot.
    const lease = idle.shift();
    if (lease) a.slots.release(lease);
  });
  const lease = await b.slots.acquire(F, 2, { waitMs: 30_000 });
  assert.ok(lease, 'granted on slot-free, long before the one-minute re-check');
  assert.deepEqual(asked, [F]);
  assert.equal(idle.length, 1, 'one instance handed over, not all');
});

test('an acquire that does not wait (a prestart) does not ask holders to give anything up', { skip }, async (t) => {
  const cluster = await slotsCluster({ deadAfterMs: 60_000 });
  t.after(() => cluster.close());
  const [a, b] = [await cluster.node('node-a'), await cluster.node('node-b')];
  assert.ok(await a.slots.acquire(F, 1, { waitMs: 0 }));
  const asked: string[] = [];
  const sentinelSeen = new Promise<void>((resolve) => {
    a.slots.onSlotWanted((key) => {
      asked.push(key);
      if (key === 'sentinel') resolve();
    });
  });
  assert.equal(await b.slots.acquire(F, 1, { waitMs: 0 }), undefined);
  // Notifications arrive in commit order: an ask sent by the refused acquire would come before this one.
  await cluster.db.query("SELECT pg_notify('nimbus_slot_wanted', 'sentinel')");
  await sentinelSeen;
  assert.deepEqual(asked, ['sentinel']);
});
