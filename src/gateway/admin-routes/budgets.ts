import { z } from 'zod';
import { adminRoute } from '../admin-route.js';
import { epochMs, nextCursor, pageQuery } from './common.js';

export const MAX_BUDGET_CONCURRENCY = 100_000;
export const MAX_BUDGET_RATE_PER_SECOND = 1_000_000;
export const MAX_BUDGET_BURST = 1_000_000;

/** Messages follow the field's path, which the router puts first: `rate.burst: must be at least 1`. */
const wholeNumber = (min: number, max: number) =>
  z.number({ error: 'must be a number' }).int('must be a whole number').min(min, `must be at least ${min}`).max(max, `must be at most ${max}`);

/**
 * `PUT /budgets/:name`. A field left out keeps what the budget has (for a new
 * budget: no rate, not adaptive); `null` (or `adaptive: false`) turns a rate or
 * adaptive limits off. `concurrency` is required only to create a budget.
 * Cross-field rules (min ≤ max ≤ concurrency) are checked by the handler.
 */
export const putBudgetBody = z.strictObject({
  concurrency: wholeNumber(1, MAX_BUDGET_CONCURRENCY).optional(),
  rate: z.strictObject({
    perSecond: z.number({ error: 'must be a number' }).gt(0, 'must be more than 0').max(MAX_BUDGET_RATE_PER_SECOND, `must be at most ${MAX_BUDGET_RATE_PER_SECOND}`),
    burst: wholeNumber(1, MAX_BUDGET_BURST).optional(),
  }).nullable().optional(),
  adaptive: z.union([
    z.boolean(),
    z.strictObject({ min: wholeNumber(1, MAX_BUDGET_CONCURRENCY).optional(), max: wholeNumber(1, MAX_BUDGET_CONCURRENCY).optional() }),
  ]).nullable().optional(),
});

const budgetState = z.object({ name: z.string(), limit: z.number(), inUse: z.number(), waiting: z.number(), throttled: z.number() });
const budgetView = z.looseObject({
  name: z.string(),
  concurrency: z.number(),
  rate: z.object({ perSecond: z.number(), burst: z.number() }).nullable(),
  adaptive: z.object({ min: z.number(), max: z.number() }).nullable(),
  createdAt: epochMs,
  updatedAt: epochMs,
  /** What this node enforces now; null until the node's limiter knows the budget. */
  state: budgetState.nullable(),
  /** The functions of live versions that name the budget in `uses`. */
  usedBy: z.array(z.object({ app: z.string(), function: z.string() })),
});

export const budgetRoutes = {
  list: adminRoute({
    method: 'GET', path: '/budgets', summary: 'Downstream budgets by name: settings, what this node enforces now, and the functions that use each', query: pageQuery,
    response: z.object({ budgets: z.array(budgetView), nextCursor }),
  }),
  get: adminRoute({ method: 'GET', path: '/budgets/:name', summary: 'One budget', response: z.object({ budget: budgetView }) }),
  set: adminRoute({
    method: 'PUT', path: '/budgets/:name', summary: 'Create or change a budget: {concurrency, rate?, adaptive?} (201 when created; fields left out are kept)',
    body: putBudgetBody, statuses: [200, 201], response: z.object({ budget: budgetView }),
  }),
  remove: adminRoute({ method: 'DELETE', path: '/budgets/:name', summary: 'Remove a budget (refused while a live version uses it)', response: null }),
};
