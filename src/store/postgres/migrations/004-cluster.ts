import type { PgMigration } from '../migrate.js';

/**
 * Cluster membership. Heartbeat times come from the database's own clock
 * (`now()`), not the nodes': whether a node is late is decided on one clock,
 * so machines whose clocks disagree do not declare each other dead.
 */
export const migration: PgMigration = {
  version: 4,
  name: 'cluster',
  sql: `
    CREATE TABLE cluster_nodes (
      id text COLLATE "C" PRIMARY KEY,
      address text NOT NULL,
      version text NOT NULL,
      state text NOT NULL CHECK (state IN ('alive', 'dead', 'stopped')),
      started_at timestamptz NOT NULL,
      heartbeat_at timestamptz NOT NULL,
      ended_at timestamptz,
      ended_by text,
      instances integer NOT NULL DEFAULT 0,
      load integer NOT NULL DEFAULT 0
    );
    CREATE INDEX cluster_nodes_alive_heartbeat ON cluster_nodes (heartbeat_at) WHERE state = 'alive';
  `,
};
