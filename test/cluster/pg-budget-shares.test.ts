import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BudgetRegistry } from '../../src/budgets/budget-registry.js';
import { PgBudgetShares } from '../../src/cluster/postgres/pg-budget-shares.js';
import { PgDatabase } from '../../src/store/postgres/pg-database.js';
import { eventually } from '../helpers/admin-client.js';
import { postgresUnavailable } from '../helpers/postgres-server.js';
import { systemClock } from '../../src/shared/clock.js';
import { freshMigratedDatabase } from '../store/postgres/helpers.js';
import { budget, MemoryBudgetStore } from '../budgets/memory-budget-store.js';

const quiet = { info() {}, warn() {} };

test('shares in PostgreSQL: two nodes split a budget by demand, idle shares shrink, a node cut off loses its share and the other gets it', { skip: postgresUnavailable(), timeout: 60_000 }, async (t) => {
  const database = await freshMigratedDatabase();
  const store = new MemoryBudgetStore();
  await store.put(budget('db', 10));
  const nodes = ['node-a', 'node-b'].map((nodeId) => {
    const db = new PgDatabase(database.url, { poolSize: 2 });
    const registry = new BudgetRegistry(store, systemClock, quiet);
    const shares = new PgBudgetShares(db, { nodeId, renewMs: 100, ttlMs: 600 });
    return { db, registry, shares };
  });
  t.after(async () => {
    for (const n of nodes) {
      await n.shares.close().catch(() => {});
      await n.db.close().catch(() => {});
    }
    await database.close();
  });
  for (const n of nodes) {
    await n.registry.load();
    await n.shares.start(n.registry);
  }
  const [a, b] = nodes as [typeof nodes[number], typeof nodes[number]];
  const limiter = (n: typeof a) => n.registry.limiter('db')!;

  // Node a takes all ten; node b's waiter makes it ask, and a gives way as its holders finish.
  const aHolds = [];
  for (let i = 0; i < 10; i++) aHolds.push(await a.registry.acquire(['db'], { owner: 'shop/f', priority: 0 }));
  assert.equal(limiter(a).inUse, 10);
  const bWaits = Array.from({ length: 5 }, () => b.registry.acquire(['db'], { owner: 'shop/g', priority: 0 }));
  await eventually(() => limiter(b).waiting === 5, 5_000, 'b waiting');
  const rows = await a.shares.shares('db');
  assert.ok(rows.reduce((sum, r) => sum + r.held, 0) <= 10, JSON.stringify(rows));
  assert.equal(limiter(b).inUse, 0, 'b starts nothing while a holds the whole limit');
  // One holder at a time, with time for b's share to grow in between: the two never hold more than ten together.
  for (const hold of aHolds.splice(0)) {
    hold.release(systemClock.monotonic(), true);
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.ok(limiter(a).inUse + limiter(b).inUse <= 10, `a ${limiter(a).inUse} + b ${limiter(b).inUse} > 10`);
  }
  const bHolds = await Promise.all(bWaits);
  assert.equal(limiter(b).inUse, 5);
  assert.ok(limiter(a).inUse + limiter(b).inUse <= 10);
  for (const hold of bHolds) hold.release(systemClock.monotonic(), true);

  // Idle, both keep only a headroom of one permit.
  await eventually(async () => (await a.shares.shares('db')).every((r) => r.held <= 1), 5_000, 'idle shares to shrink');

  // a is cut off from the database: its share lapses for b, and a stops starting work of its own.
  for (let i = 0; i < 4; i++) aHolds.push(a.registry.tryAcquire(['db']) ?? await a.registry.acquire(['db'], { owner: 'shop/f', priority: 0 }));
  await a.db.close();
  await eventually(() => limiter(a).share === 0, 5_000, 'a to stop granting itself');
  const bAll = Array.from({ length: 10 }, () => b.registry.acquire(['db'], { owner: 'shop/g', priority: 0 }));
  await Promise.all(bAll);
  assert.equal(limiter(b).inUse, 10, 'b got the whole budget once a\'s share lapsed');
});
