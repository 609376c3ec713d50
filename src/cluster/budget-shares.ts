import type { BudgetRegistry } from '../budgets/budget-registry.js';

/**
 * How a node gets its part of each downstream budget. Alone (SQLite) it has
 * all of every budget; in a cluster it leases shares from the store.
 */
export interface BudgetShares {
  /** From now on the registry's limiters hold only what this grants them. */
  start(registry: BudgetRegistry): Promise<void>;
  /** Gives this node's shares back. */
  close(): Promise<void>;
}

export const WHOLE_BUDGETS: BudgetShares = {
  start: async () => {},
  close: async () => {},
};
