import type { PgMigration } from '../migrate.js';

/**
 * Downstream budgets (docs/budgets.md): named limits shared by every function
 * that names them. A rate (per second, burst) and adaptive bounds (min, max)
 * are each present or absent whole.
 */
export const migration: PgMigration = {
  version: 8,
  name: 'budgets',
  sql: `
CREATE TABLE budgets (
  name text COLLATE "C" PRIMARY KEY,
  concurrency integer NOT NULL,
  rate_per_second double precision,
  rate_burst integer,
  adaptive_min integer,
  adaptive_max integer,
  created_at bigint NOT NULL,
  updated_at bigint NOT NULL
);`,
};
