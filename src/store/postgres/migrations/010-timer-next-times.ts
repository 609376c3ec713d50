import type { PgMigration } from '../migrate.js';

/** Each timer's next time, worked out once, so a start does not work out every timer's again. */
export const migration: PgMigration = {
  version: 10,
  name: 'timer-next-times',
  sql: `
    ALTER TABLE timer_registry ADD COLUMN next_at bigint;
  `,
};
