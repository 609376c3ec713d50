import type { PgMigration } from '../migrate.js';

// Filled in by the area's implementation; the number is fixed.
export const migration: PgMigration = {
  version: 4,
  name: 'cluster',
  sql: 'SELECT 1',
};
