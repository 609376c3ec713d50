/**
 * A downstream budget: one named limit shared by every function that names it
 * (`uses`), on every trigger, in every app, on every node of a cluster. It
 * protects what those functions call together (a database, a partner API).
 */
export interface BudgetSettings {
  /** Same rule as app names: lower-case letters, digits and dashes (BUDGET_NAME). */
  name: string;
  /** Holders at once; with `adaptive`, the ceiling the adaptive limit may grow to. */
  concurrency: number;
  /** Starts per second (token bucket); null: no rate limit. */
  rate: BudgetRate | null;
  /** Present: the concurrency limit follows the downstream's health between min and max. */
  adaptive: AdaptiveBounds | null;
}

export interface BudgetRate {
  perSecond: number;
  /** Tokens the bucket holds: starts allowed at once after a quiet time. Default: perSecond (at least 1). */
  burst: number;
}

export interface AdaptiveBounds {
  /** The limit never falls below this (default 1). */
  min: number;
  /** The limit never grows above this (default: the budget's concurrency). */
  max: number;
}

export interface Budget extends BudgetSettings {
  createdAt: number;
  updatedAt: number;
}

/** Budgets as stored; one SQLite and one PostgreSQL implementation, one contract suite. */
export interface BudgetStore {
  list(): Promise<Budget[]>;
  get(name: string): Promise<Budget | undefined>;
  /** Creates or replaces; createdAt is kept on replace. */
  put(settings: BudgetSettings): Promise<Budget>;
  /** False when there was no such budget. */
  remove(name: string): Promise<boolean>;
}

/** What a node knows of a budget right now (for `nimbus budgets ls`, the console and /metrics). */
export interface BudgetState {
  name: string;
  /** The limit in force: the concurrency, or the adaptive limit's current value. */
  limit: number;
  inUse: number;
  waiting: number;
  /** Since the node started: waiters refused (HTTP 429) or held past a moment (events) because of this budget. */
  throttled: number;
}

/**
 * The running side of budgets, as the admin API sees it. The limiter
 * implements it; the admin routes call `changed` after writing the store so the
 * change takes effect here at once (and on other nodes through the change feed).
 */
export interface BudgetControl {
  changed(name: string): Promise<void>;
  states(): BudgetState[];
}
