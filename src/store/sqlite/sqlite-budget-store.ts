import type { SqliteDatabase } from './sqlite-database.js';
import type { Clock } from '../../shared/clock.js';
import { migrateSqlite, type SqliteMigration } from './sqlite-migrations.js';
import type { Budget, BudgetSettings, BudgetStore } from '../../budgets/budget.js';
import { BUDGET_COLUMNS, budgetOf, budgetValues, type BudgetRow } from '../budget-row.js';

/** Schema steps of this area; see migrateSqlite. A rate or adaptive bounds are present or absent whole. */
export const BUDGET_MIGRATIONS: readonly SqliteMigration[] = [{ version: 1, sql: `
CREATE TABLE IF NOT EXISTS budgets (
  name TEXT PRIMARY KEY,
  concurrency INTEGER NOT NULL,
  rate_per_second REAL,
  rate_burst INTEGER,
  adaptive_min INTEGER,
  adaptive_max INTEGER,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
) WITHOUT ROWID
` }];

export class SqliteBudgetStore implements BudgetStore {
  readonly #db: SqliteDatabase;
  readonly #clock: Clock;

  constructor(db: SqliteDatabase, clock: Clock) {
    this.#db = db;
    this.#clock = clock;
    migrateSqlite(db, 'budgets', BUDGET_MIGRATIONS);
  }

  async list(): Promise<Budget[]> {
    return this.#db.prepare<[], BudgetRow>(`SELECT ${BUDGET_COLUMNS} FROM budgets ORDER BY name`).all().map(budgetOf);
  }

  async get(name: string): Promise<Budget | undefined> {
    const row = this.#db.prepare<[string], BudgetRow>(`SELECT ${BUDGET_COLUMNS} FROM budgets WHERE name = ?`).get(name);
    return row ? budgetOf(row) : undefined;
  }

  async put(settings: BudgetSettings): Promise<Budget> {
    const now = this.#clock.now();
    const row = this.#db
      .prepare<unknown[], BudgetRow>(
        `INSERT INTO budgets (name, concurrency, rate_per_second, rate_burst, adaptive_min, adaptive_max, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (name) DO UPDATE SET concurrency = excluded.concurrency, rate_per_second = excluded.rate_per_second,
           rate_burst = excluded.rate_burst, adaptive_min = excluded.adaptive_min, adaptive_max = excluded.adaptive_max, updated_at = excluded.updated_at
         RETURNING ${BUDGET_COLUMNS}`,
      )
      .get(...budgetValues(settings), now, now);
    if (!row) throw new Error('budgets: upsert returned no row');
    return budgetOf(row);
  }

  async remove(name: string): Promise<boolean> {
    return this.#db.prepare('DELETE FROM budgets WHERE name = ?').run(name).changes > 0;
  }
}
