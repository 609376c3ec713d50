import type { PgMigration } from '../migrate.js';

/**
 * Each version's function manifests in the compact form (see
 * stored-manifests.ts) beside the plain array, which nodes of the release
 * before keep reading while a cluster is upgraded. Versions stored before
 * keep NULL here and are read from functions.
 */
export const migration: PgMigration = {
  version: 11,
  name: 'compact-manifests',
  sql: `
    ALTER TABLE app_versions ADD COLUMN manifests text;
  `,
};
