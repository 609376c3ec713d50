import type { PgMigration } from '../migrate.js';

// Filled in by the area's implementation; the number is fixed.
export const migration: PgMigration = {
  version: 1,
  name: 'apps-keys-secrets-async-blobs',
  sql: 'SELECT 1',
};
