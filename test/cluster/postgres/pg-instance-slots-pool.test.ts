import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FunctionPool } from '../../../src/runtime/pool/function-pool.js';
import { MemoryBudget } from '../../../src/runtime/pool/memory-budget.js';
import type { WarmPool } from '../../../src/runtime/pool/warm-pool.js';
import { systemClock } from '../../../src/shared/clock.js';
import { resolveSettings } from '../../../src/triggers/function-settings.js';
import { postgresUnavailable } from '../../helpers/postgres-server.js';
import { fakeInstance } from '../../runtime/pool/fake-instance.js';
import { slotsCluster, type SlotsNode } from './slots-cluster.js';

const skip = postgresUnavailable();

/** One node's pool of shop/checkout v1 on the shared slots, handing idle instances over when asked (as the dispatcher does). */
function nodePool(node: SlotsNode): FunctionPool {
  const settings = resolveSettings('http', { maxInstances: 2, concurrency: 1, queueTimeoutMs: 30_000 });
  const target = { app: 'shop', version: 1, functionName: 'checkout', settings, bundlePath: '/b.mjs', network: 'outbound' as const, env: {} };
  const warmPool = { take: async () => fakeInstance() } as unknown as WarmPool;
  const pool = new FunctionPool(target, warmPool, new MemoryBudget(4096), systemClock, { makeRoom: () => false, onInstanceStartFailed: () => {} }, node.slots);
  node.slots.onSlotWanted((key) => {
    if (key === pool.slotKey) pool.handOff();
  });
  return pool;
}

test('two nodes\' pools of a function with maxInstances 2 never run more than 2 instances between them under a burst', { skip }, async (t) => {
  const cluster = await slotsCluster({ deadAfterMs: 60_000, recheckMs: 100 });
  t.after(() => cluster.close());
  const pools = [nodePool(await cluster.node('node-a')), nodePool(await cluster.node('node-b'))];
  let most = 0;
  let bursting = true;
  const sample = (): void => {
    most = Math.max(most, pools.reduce((n, p) => n + p.instances.size, 0));
    if (bursting) setImmediate(sample);
  };
  sample();
  // Each invocation holds its instance for a moment; both nodes get a burst at once.
  const invoke = async (pool: FunctionPool): Promise<void> => {
    const lease = await pool.acquire();
    await new Promise((resolve) => setTimeout(resolve, 5));
    pool.release(lease.instance);
  };
  await Promise.all(pools.flatMap((pool) => Array.from({ length: 12 }, () => invoke(pool))));
  bursting = false;
  assert.ok(most <= 2, `at most 2 instances across the cluster, saw ${most}`);
  assert.ok(pools.every((p) => p.inflight === 0));
  const [row] = await cluster.db.query<{ n: number }>("SELECT count(*)::int AS n FROM instance_slots WHERE function_key = 'shop/checkout@1'");
  assert.ok((row?.n ?? 0) <= 2);
});
