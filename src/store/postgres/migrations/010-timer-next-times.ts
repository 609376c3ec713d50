import type { PgMigration } from '../migrate.js';

/**
 * Each timer's next time, worked out once, so a start does not work out every
 * timer's again; next_after is the cursor it was worked out for: it counts
 * only while that is still the cursor.
 */
export const migration: PgMigration = {
  version: 10,
  name: 'timer-next-times',
  sql: `
    ALTER TABLE timer_registry ADD COLUMN next_at bigint, ADD COLUMN next_after bigint;
  `,
};
