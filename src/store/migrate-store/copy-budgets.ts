import { copyTable } from './copy-table.js';
import { plural, type StoreArea } from './area.js';
import type { BudgetRow } from '../budget-row.js';

const COLUMNS = ['name', 'concurrency', 'rate_per_second', 'rate_burst', 'adaptive_min', 'adaptive_max', 'created_at', 'updated_at'] as const;

/** Downstream budgets, settings and times as they are: the cluster enforces them from its first start. */
export const budgetsArea: StoreArea = {
  name: 'budgets',
  async copy({ source }, target) {
    const budgets = await copyTable<BudgetRow>(source, target, {
      select: `SELECT ${COLUMNS.join(', ')} FROM budgets`,
      table: 'budgets',
      columns: COLUMNS,
      values: (r) => COLUMNS.map((column) => r[column]),
    });
    return plural(budgets, 'budget');
  },
};
