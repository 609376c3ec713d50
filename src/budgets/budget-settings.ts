import type { z } from 'zod';
import type { putBudgetBody } from '../gateway/admin-routes/budgets.js';
import { NimbusError } from '../shared/errors.js';
import { BUDGET_NAME } from '../triggers/function-settings.js';
import type { AdaptiveBounds, BudgetRate, BudgetSettings } from './budget.js';

export type BudgetChange = z.output<typeof putBudgetBody>;

/** What a deploy with `createBudgets` gives each budget it creates (docs/budgets.md). */
export const CREATED_BUDGET_DEFAULTS = { concurrency: 10, rate: null, adaptive: null } as const satisfies Omit<BudgetSettings, 'name'>;

/** A budget name in a path: a 400 naming the rule when it cannot be one. */
export function checkBudgetName(name: string): void {
  if (!BUDGET_NAME.test(name)) throw new NimbusError('NIMBUS_ERR_BUDGET_INVALID_NAME', JSON.stringify(name));
}

/** The burst a rate gets when none is given: one second's worth of starts, at least one. */
export function defaultBurst(perSecond: number): number {
  return Math.max(1, Math.ceil(perSecond));
}

/**
 * The settings a `PUT /budgets/:name` leaves the budget with: what the change
 * gives, and for what it leaves out, what the budget had (a new budget: no
 * rate, not adaptive). Adaptive bounds that followed the concurrency (max
 * equal to it) go on following it. Cross-field rules fail as 400s naming the field.
 */
export function applyBudgetChange(name: string, change: BudgetChange, existing: BudgetSettings | undefined): BudgetSettings {
  const concurrency = change.concurrency ?? existing?.concurrency;
  if (concurrency === undefined) throw invalid('concurrency', 'is required to create a budget');
  const rate = rateOf(change.rate, existing?.rate ?? null);
  const adaptive = adaptiveOf(change.adaptive, existing, concurrency);
  if (adaptive) {
    if (adaptive.max > concurrency) throw invalid('adaptive.max', `${adaptive.max} is above the concurrency (${concurrency}): the adaptive limit never grows past it`);
    if (adaptive.min > adaptive.max) throw invalid('adaptive.min', `${adaptive.min} is above adaptive.max (${adaptive.max})`);
  }
  return { name, concurrency, rate, adaptive };
}

function rateOf(change: BudgetChange['rate'], existing: BudgetRate | null): BudgetRate | null {
  if (change === undefined) return existing;
  if (change === null) return null;
  return { perSecond: change.perSecond, burst: change.burst ?? defaultBurst(change.perSecond) };
}

function adaptiveOf(change: BudgetChange['adaptive'], existing: BudgetSettings | undefined, concurrency: number): AdaptiveBounds | null {
  if (change === null || change === false) return null;
  const kept = existing?.adaptive ? { min: existing.adaptive.min, max: existing.adaptive.max === existing.concurrency ? concurrency : existing.adaptive.max } : null;
  if (change === undefined) return kept;
  const bounds = change === true ? {} : change;
  return { min: bounds.min ?? kept?.min ?? 1, max: bounds.max ?? kept?.max ?? concurrency };
}

function invalid(field: string, detail: string): NimbusError {
  return new NimbusError('NIMBUS_ERR_BODY_INVALID', `${field}: ${detail}`, { field });
}
