/**
 * What a budget adds to one invocation on the node, measured in process where
 * the machine's drift cannot hide it: the dispatcher's warm path (take the
 * permits of `uses`, keep the hold by invocation id, release it at the end)
 * against the same loop without the budget calls.
 */
import { BudgetRegistry } from '../../src/budgets/budget-registry.js';
import { systemClock } from '../../src/shared/clock.js';
import { budget, MemoryBudgetStore } from '../../test/budgets/memory-budget-store.js';
import type { BudgetHold } from '../../src/budgets/budget-hold.js';
import { median } from '../support/stats.js';

const ITERATIONS = 1_000_000;
const REPEATS = 5;
const silent = { info: () => {}, warn: () => {} };

/** Median µs per invocation that the budget's take and release add. */
export async function budgetTakeCostUs(): Promise<number> {
  const store = new MemoryBudgetStore();
  // A rate too, as the bench's budget has, so the token bucket is on the path; large enough never to run dry here.
  await store.put(budget('b', 100_000, { rate: { perSecond: 1e12, burst: 1e12 } }));
  const registry = new BudgetRegistry(store, systemClock, silent);
  await registry.load();
  const uses: readonly string[] = ['b'];
  const holds = new Map<string, BudgetHold>();
  const ids = Array.from({ length: 1024 }, (_, i) => `inv-${i}-${Math.random().toString(36).slice(2)}`);
  const withBudget = (): void => {
    for (let i = 0; i < ITERATIONS; i++) {
      const id = ids[i & 1023]!;
      const hold = registry.tryAcquire(uses)!;
      holds.set(id, hold);
      hold.release(systemClock.monotonic(), true);
      holds.delete(id);
    }
  };
  // The same loop without the budget: what is left is the cost of the calls.
  let sink = 0;
  const without = (): void => {
    for (let i = 0; i < ITERATIONS; i++) sink += ids[i & 1023]!.length;
  };
  const timed = (loop: () => void): number => {
    const started = process.hrtime.bigint();
    loop();
    return Number(process.hrtime.bigint() - started) / 1000 / ITERATIONS;
  };
  const samples: number[] = [];
  for (let r = 0; r < REPEATS + 1; r++) {
    const cost = timed(withBudget) - timed(without);
    if (r > 0) samples.push(cost); // the first pass warms the JIT up
  }
  if (sink < 0) throw new Error('unreachable');
  return Math.max(0, median(samples));
}
