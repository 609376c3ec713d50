import type { BudgetStore } from './budget.js';

/**
 * A node without a budget store: no budget exists, so `uses` limits nothing.
 * Stands in until the store area `budgets` is part of every Store.
 */
export const NO_BUDGET_STORE: BudgetStore = {
  list: async () => [],
  get: async () => undefined,
  put: async () => {
    throw new Error('this node has no budget store');
  },
  remove: async () => false,
};
