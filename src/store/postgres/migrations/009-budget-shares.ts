import type { PgMigration } from '../migrate.js';

/**
 * Each node's share of each downstream budget in a cluster: the permits it
 * may hold (`held`, never less than it holds now), what it would like
 * (`wanted`: holders and waiters there), and when the share lapses unless
 * renewed, so a dead node's share comes back by itself. The budgets
 * themselves are another table (the control plane's).
 */
export const migration: PgMigration = {
  version: 9,
  name: 'budget-shares',
  sql: `
    CREATE TABLE budget_shares (
      budget text NOT NULL,
      node_id text NOT NULL,
      held integer NOT NULL,
      wanted integer NOT NULL,
      expires_at bigint NOT NULL,
      PRIMARY KEY (budget, node_id)
    );
  `,
};
