import type { VersionRecord } from '../store/store.js';

export interface BudgetUser {
  app: string;
  function: string;
}

/** Which functions of `versions` name each budget in `uses`, by budget name, each list by app then function. */
export function budgetUsers(versions: readonly VersionRecord[]): Map<string, BudgetUser[]> {
  const users = new Map<string, BudgetUser[]>();
  const sorted = [...versions].sort((a, b) => (a.app < b.app ? -1 : a.app > b.app ? 1 : 0));
  for (const version of sorted) {
    const functions = [...version.functions].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const fn of functions) {
      for (const budget of fn.settings.uses ?? []) {
        const list = users.get(budget) ?? [];
        list.push({ app: version.app, function: fn.name });
        users.set(budget, list);
      }
    }
  }
  return users;
}

/** `shop/checkout, shop/settle`: users as an error message names them. */
export function describeUsers(users: readonly BudgetUser[]): string {
  return users.map((u) => `${u.app}/${u.function}`).join(', ');
}
