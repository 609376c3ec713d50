import { describeUsers } from '../../budgets/budget-users.js';
import { rateText } from '../../budgets/rate-text.js';
import type { BudgetView } from '../api/budgets-client.js';

/** What `budgets set` says it left: `concurrency 20, rate 200/s (burst 200), adaptive 1-20`. */
export function describeBudget(b: Pick<BudgetView, 'concurrency' | 'rate' | 'adaptive'>): string {
  const rate = b.rate ? `rate ${rateText(b.rate)} (burst ${b.rate.burst})` : 'no rate';
  const adaptive = b.adaptive ? `adaptive ${b.adaptive.min}-${b.adaptive.max}` : 'not adaptive';
  return `concurrency ${b.concurrency}, ${rate}, ${adaptive}`;
}

/** One `budgets ls` row: name, limit, in use, waiting, throttled, adaptive limit, rate, used by. */
export function budgetRow(b: BudgetView): string[] {
  const known = (n: number | undefined): string => (n === undefined ? '-' : String(n));
  const adaptive = b.adaptive ? `${b.state ? b.state.limit : '?'} (${b.adaptive.min}-${b.adaptive.max})` : '-';
  const rate = b.rate ? `${rateText(b.rate)} burst ${b.rate.burst}` : '-';
  const usedBy = b.usedBy.length > 0 ? describeUsers(b.usedBy) : '-';
  return [b.name, String(b.concurrency), known(b.state?.inUse), known(b.state?.waiting), known(b.state?.throttled), adaptive, rate, usedBy];
}

export const BUDGET_HEADERS = ['NAME', 'LIMIT', 'IN USE', 'WAITING', 'THROTTLED', 'ADAPTIVE', 'RATE', 'USED BY'] as const;
