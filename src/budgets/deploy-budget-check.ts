import { NimbusError } from '../shared/errors.js';
import type { FunctionManifest } from '../store/store.js';
import type { BudgetControl, BudgetStore } from './budget.js';
import { CREATED_BUDGET_DEFAULTS } from './budget-settings.js';

/** What a deploy or rollback asks before a version that names budgets goes live. */
export interface DeployBudgetCheck {
  /**
   * Refuses (400 NIMBUS_ERR_BUDGET_UNKNOWN, naming each function and its
   * missing budgets) when `functions` name a budget that does not exist; with
   * `create`, creates each such budget with CREATED_BUDGET_DEFAULTS instead.
   * Answers the names created, sorted.
   */
  check(functions: readonly FunctionManifest[], options: { create: boolean; refusal: string }): Promise<string[]>;
}

export function deployBudgetCheck(store: BudgetStore, control: BudgetControl): DeployBudgetCheck {
  return {
    async check(functions, { create, refusal }) {
      if (!functions.some((f) => (f.settings.uses ?? []).length > 0)) return [];
      const known = new Set((await store.list()).map((b) => b.name));
      const missing = functions
        .map((f) => ({ function: f.name, budgets: (f.settings.uses ?? []).filter((name) => !known.has(name)) }))
        .filter((m) => m.budgets.length > 0);
      if (missing.length === 0) return [];
      const names = [...new Set(missing.flatMap((m) => m.budgets))].sort();
      if (!create) {
        const said = missing.map((m) => `${m.function} uses ${m.budgets.join(', ')}`).join('; ');
        throw new NimbusError(
          'NIMBUS_ERR_BUDGET_UNKNOWN',
          `${refusal}: ${said}. Create ${names.length === 1 ? 'it' : 'them'} first (nimbus budgets set NAME --concurrency N), or deploy with --create-budgets`,
          { missing, budgets: names },
        );
      }
      for (const name of names) {
        await store.put({ name, ...CREATED_BUDGET_DEFAULTS });
        await control.changed(name);
      }
      return names;
    },
  };
}
