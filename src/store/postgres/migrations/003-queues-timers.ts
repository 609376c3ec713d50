import type { PgMigration } from '../migrate.js';

// Filled in by the area's implementation; the number is fixed.
export const migration: PgMigration = {
  version: 3,
  name: 'queues-timers',
  sql: 'SELECT 1',
};
