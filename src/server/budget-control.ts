import type { BudgetControl } from '../budgets/budget.js';

/**
 * Until the limiter lands, budgets are stored and managed but nothing holds
 * invocations to them: nothing to tell of a change, no state to show. The
 * data plane replaces this file with the limiter's control.
 */
export function createBudgetControl(): BudgetControl {
  return {
    changed: async () => {},
    states: () => [],
  };
}
