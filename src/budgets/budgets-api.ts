import { NimbusError } from '../shared/errors.js';
import type { AdminRouter } from '../gateway/admin-router.js';
import { NO_CONTENT } from '../gateway/admin-result.js';
import { budgetRoutes } from '../gateway/admin-routes/budgets.js';
import { byName, pageOf, readPageQuery } from '../gateway/list-page.js';
import type { VersionRecord } from '../store/store.js';
import type { Budget, BudgetControl, BudgetState, BudgetStore } from './budget.js';
import { applyBudgetChange, checkBudgetName } from './budget-settings.js';
import { budgetUsers, describeUsers, type BudgetUser } from './budget-users.js';

const BY_NAME = byName<Budget>((budget) => budget.name);

export interface BudgetsApiDeps {
  store: BudgetStore;
  control: BudgetControl;
  /** Live versions as this node serves them: who uses each budget, for listings. */
  live(): readonly VersionRecord[];
  /** Live versions as the store has them now: a removal must see what other nodes deployed too. */
  liveInStore(): Promise<readonly VersionRecord[]>;
  /** Runs `work` with no deploy or rollback under way on this node, so none checks a budget while it is removed. */
  serialized<T>(work: () => Promise<T>): Promise<T>;
}

export interface BudgetView extends Budget {
  state: BudgetState | null;
  usedBy: BudgetUser[];
}

/**
 * `GET /budgets`, `GET|PUT|DELETE /budgets/:name` (docs/budgets.md). Every
 * write is followed by `control.changed(name)`, so the limiter takes the new
 * settings at once (and other nodes through the change feed).
 */
export function addBudgetsApi(router: AdminRouter, deps: BudgetsApiDeps): void {
  const views = (budgets: readonly Budget[]): BudgetView[] => {
    const states = new Map(deps.control.states().map((s) => [s.name, s]));
    const users = budgetUsers(deps.live());
    return budgets.map((b) => ({ ...b, state: states.get(b.name) ?? null, usedBy: users.get(b.name) ?? [] }));
  };
  const found = async (name: string): Promise<Budget> => {
    checkBudgetName(name);
    const budget = await deps.store.get(name);
    if (!budget) throw new NimbusError('NIMBUS_ERR_BUDGET_NOT_FOUND', name, { budget: name });
    return budget;
  };

  router.add(budgetRoutes.list, async ({ query }) => {
    const page = pageOf(await deps.store.list(), readPageQuery(query, BY_NAME), BY_NAME);
    return { status: 200, body: { budgets: views(page.items), nextCursor: page.nextCursor } };
  });

  router.add(budgetRoutes.get, async ({ params }) => ({ status: 200, body: { budget: views([await found(params.name)])[0]! } }));

  router.add(budgetRoutes.set, async ({ params, body }) => {
    checkBudgetName(params.name);
    const existing = await deps.store.get(params.name);
    const budget = await deps.store.put(applyBudgetChange(params.name, body, existing));
    await deps.control.changed(budget.name);
    return { status: existing ? 200 : 201, body: { budget: views([budget])[0]! } };
  });

  router.add(budgetRoutes.remove, async ({ params }) => {
    const name = params.name;
    checkBudgetName(name);
    await deps.serialized(async () => {
      const users = budgetUsers(await deps.liveInStore()).get(name) ?? [];
      if (users.length > 0) {
        throw new NimbusError('NIMBUS_ERR_BUDGET_IN_USE', `${name} is used by ${describeUsers(users)}: deploy them without it first`, { budget: name, usedBy: users });
      }
      if (!(await deps.store.remove(name))) throw new NimbusError('NIMBUS_ERR_BUDGET_NOT_FOUND', name, { budget: name });
    });
    await deps.control.changed(name);
    return NO_CONTENT;
  });
}
