import type { ResponseOf } from '../../api/endpoints.js';
import type { routes } from '../../api/endpoints.js';

export type BudgetView = ResponseOf<typeof routes.budgets.list>['budgets'][number];

/** `200/s`, or `12/min` for slow rates that are whole per minute (as `nimbus budgets ls` prints them). */
export function formatRate(rate: { perSecond: number; burst: number }): string {
  const perMinute = rate.perSecond * 60;
  const per = rate.perSecond < 1 && Math.abs(perMinute - Math.round(perMinute)) < 1e-9 ? `${Math.round(perMinute)}/min` : `${Number(rate.perSecond.toPrecision(6))}/s`;
  return `${per}, burst ${rate.burst}`;
}

/** The adaptive limit in force (unknown until the node's limiter reports it) and its bounds. */
export function formatAdaptive(b: BudgetView): string | null {
  if (!b.adaptive) return null;
  return `${b.state ? b.state.limit : '?'} (${b.adaptive.min}–${b.adaptive.max})`;
}

export function usersOf(b: BudgetView): string {
  return b.usedBy.map((u) => `${u.app}/${u.function}`).join(', ');
}
