import type { Budget, BudgetSettings, BudgetStore } from '../../src/budgets/budget.js';

/** The BudgetStore contract in memory, for data-plane tests until the SQLite and PostgreSQL stores are merged. */
export class MemoryBudgetStore implements BudgetStore {
  readonly #budgets = new Map<string, Budget>();

  constructor(private readonly now: () => number = Date.now) {}

  async list(): Promise<Budget[]> {
    return [...this.#budgets.values()].sort((a, b) => a.name.localeCompare(b.name)).map((b) => ({ ...b }));
  }

  async get(name: string): Promise<Budget | undefined> {
    const budget = this.#budgets.get(name);
    return budget ? { ...budget } : undefined;
  }

  async put(settings: BudgetSettings): Promise<Budget> {
    const at = this.now();
    const budget: Budget = { ...settings, createdAt: this.#budgets.get(settings.name)?.createdAt ?? at, updatedAt: at };
    this.#budgets.set(settings.name, budget);
    return { ...budget };
  }

  async remove(name: string): Promise<boolean> {
    return this.#budgets.delete(name);
  }
}

/** A budget's settings with the defaults a test does not care about. */
export function budget(name: string, concurrency: number, extra: Partial<BudgetSettings> = {}): BudgetSettings {
  return { name, concurrency, rate: null, adaptive: null, ...extra };
}
