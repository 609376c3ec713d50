import type { PgMigration } from '../migrate.js';

/**
 * One row per running instance in the cluster: (function, slot number) is
 * unique and slot < maxInstances, so the table itself is the cap. lease_id
 * names one grant, so a late release never frees a slot granted again.
 */
export const migration: PgMigration = {
  version: 5,
  name: 'instance-slots',
  sql: `
    CREATE TABLE instance_slots (
      function_key text NOT NULL,
      slot integer NOT NULL,
      node_id text NOT NULL,
      lease_id uuid NOT NULL UNIQUE,
      acquired_at bigint NOT NULL,
      PRIMARY KEY (function_key, slot)
    );
    CREATE INDEX instance_slots_by_node ON instance_slots (node_id);
  `,
};
