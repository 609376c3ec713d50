import type { ResponseOf } from '../../api/endpoints.js';
import type { routes } from '../../api/endpoints.js';
import { rateText } from '../../../../src/budgets/rate-text.js';

export type BudgetView = ResponseOf<typeof routes.budgets.list>['budgets'][number];

/** `200/s, burst 200` (the rate as `nimbus budgets ls` prints it). */
export function formatRate(rate: { perSecond: number; burst: number }): string {
  return `${rateText(rate)}, burst ${rate.burst}`;
}

/** The adaptive limit in force (unknown until the node's limiter reports it) and its bounds. */
export function formatAdaptive(b: BudgetView): string | null {
  if (!b.adaptive) return null;
  return `${b.state ? b.state.limit : '?'} (${b.adaptive.min}–${b.adaptive.max})`;
}

export function usersOf(b: BudgetView): string {
  return b.usedBy.map((u) => `${u.app}/${u.function}`).join(', ');
}
