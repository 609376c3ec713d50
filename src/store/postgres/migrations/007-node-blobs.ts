import type { PgMigration } from '../migrate.js';

/**
 * Where each node keeps its blobs and bundles (`s3://bucket/prefix`, or
 * `local:<node id>` for a node's own folder), so a node that starts with a
 * blob store the live nodes do not share is refused before it serves.
 * Rows written by an earlier release have none and are not compared.
 */
export const migration: PgMigration = {
  version: 7,
  name: 'node-blobs',
  sql: `ALTER TABLE cluster_nodes ADD COLUMN blobs text;`,
};
