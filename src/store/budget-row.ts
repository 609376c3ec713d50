import type { Budget, BudgetSettings } from '../budgets/budget.js';

/** A budget as both SQL stores keep it: the rate and the adaptive bounds as nullable column pairs. */
export interface BudgetRow {
  name: string;
  concurrency: number;
  rate_per_second: number | null;
  rate_burst: number | null;
  adaptive_min: number | null;
  adaptive_max: number | null;
  /** PostgreSQL answers bigint as a string. */
  created_at: number | string;
  updated_at: number | string;
}

export const BUDGET_COLUMNS = 'name, concurrency, rate_per_second, rate_burst, adaptive_min, adaptive_max, created_at, updated_at';

/** name, concurrency, rate per second, burst, adaptive min, adaptive max: the columns before the times. */
export function budgetValues(s: BudgetSettings): [string, number, number | null, number | null, number | null, number | null] {
  return [s.name, s.concurrency, s.rate?.perSecond ?? null, s.rate?.burst ?? null, s.adaptive?.min ?? null, s.adaptive?.max ?? null];
}

export function budgetOf(row: BudgetRow): Budget {
  return {
    name: row.name,
    concurrency: Number(row.concurrency),
    rate: row.rate_per_second === null ? null : { perSecond: Number(row.rate_per_second), burst: Number(row.rate_burst ?? 1) },
    adaptive: row.adaptive_min === null ? null : { min: Number(row.adaptive_min), max: Number(row.adaptive_max ?? row.concurrency) },
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}
