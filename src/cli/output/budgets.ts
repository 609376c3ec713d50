import type { BudgetView } from '../api/budgets-client.js';

type Rate = NonNullable<BudgetView['rate']>;

/** `200/s`, `12/min` for slow rates that are whole per minute, else `0.25/s`. */
export function formatRate(rate: Rate): string {
  const perMinute = rate.perSecond * 60;
  if (rate.perSecond < 1 && Math.abs(perMinute - Math.round(perMinute)) < 1e-9) return `${Math.round(perMinute)}/min`;
  return `${Number(rate.perSecond.toPrecision(6))}/s`;
}

/** What `budgets set` says it left: `concurrency 20, rate 200/s (burst 200), adaptive 1-20`. */
export function describeBudget(b: Pick<BudgetView, 'concurrency' | 'rate' | 'adaptive'>): string {
  const rate = b.rate ? `rate ${formatRate(b.rate)} (burst ${b.rate.burst})` : 'no rate';
  const adaptive = b.adaptive ? `adaptive ${b.adaptive.min}-${b.adaptive.max}` : 'not adaptive';
  return `concurrency ${b.concurrency}, ${rate}, ${adaptive}`;
}

/** One `budgets ls` row: name, limit, in use, waiting, throttled, adaptive limit, rate, used by. */
export function budgetRow(b: BudgetView): string[] {
  const known = (n: number | undefined): string => (n === undefined ? '-' : String(n));
  const adaptive = b.adaptive ? `${b.state ? b.state.limit : '?'} (${b.adaptive.min}-${b.adaptive.max})` : '-';
  const rate = b.rate ? `${formatRate(b.rate)} burst ${b.rate.burst}` : '-';
  const usedBy = b.usedBy.length > 0 ? b.usedBy.map((u) => `${u.app}/${u.function}`).join(', ') : '-';
  return [b.name, String(b.concurrency), known(b.state?.inUse), known(b.state?.waiting), known(b.state?.throttled), adaptive, rate, usedBy];
}

export const BUDGET_HEADERS = ['NAME', 'LIMIT', 'IN USE', 'WAITING', 'THROTTLED', 'ADAPTIVE', 'RATE', 'USED BY'] as const;
