import type { Clock } from '../../shared/clock.js';
import type { Budget, BudgetSettings, BudgetStore } from '../../budgets/budget.js';
import { BUDGET_COLUMNS, budgetOf, budgetValues, type BudgetRow } from '../budget-row.js';
import type { PgDatabase } from './pg-database.js';

/** Downstream budgets in PostgreSQL: one row each, shared by every node of the cluster. */
export class PgBudgetStore implements BudgetStore {
  readonly #db: PgDatabase;
  readonly #clock: Clock;

  constructor(db: PgDatabase, clock: Clock) {
    this.#db = db;
    this.#clock = clock;
  }

  async list(): Promise<Budget[]> {
    return (await this.#db.query<BudgetRow>(`SELECT ${BUDGET_COLUMNS} FROM budgets ORDER BY name`)).map(budgetOf);
  }

  async get(name: string): Promise<Budget | undefined> {
    const [row] = await this.#db.query<BudgetRow>(`SELECT ${BUDGET_COLUMNS} FROM budgets WHERE name = $1`, [name]);
    return row ? budgetOf(row) : undefined;
  }

  async put(settings: BudgetSettings): Promise<Budget> {
    const now = this.#clock.now();
    const [row] = await this.#db.query<BudgetRow>(
      `INSERT INTO budgets (name, concurrency, rate_per_second, rate_burst, adaptive_min, adaptive_max, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $7)
       ON CONFLICT (name) DO UPDATE SET concurrency = excluded.concurrency, rate_per_second = excluded.rate_per_second,
         rate_burst = excluded.rate_burst, adaptive_min = excluded.adaptive_min, adaptive_max = excluded.adaptive_max, updated_at = excluded.updated_at
       RETURNING ${BUDGET_COLUMNS}`,
      [...budgetValues(settings), now],
    );
    if (!row) throw new Error('budgets: upsert returned no row');
    return budgetOf(row);
  }

  async remove(name: string): Promise<boolean> {
    return (await this.#db.query('DELETE FROM budgets WHERE name = $1 RETURNING name', [name])).length > 0;
  }
}
