import pg from 'pg';
import { NimbusError } from '../../shared/errors.js';

/** One step of the PostgreSQL schema. Versions only grow; a released step is never edited. */
export interface PgMigration {
  version: number;
  name: string;
  sql: string;
}

/** Arbitrary, fixed: the advisory lock every node takes while it migrates. */
const MIGRATION_LOCK_ID = 0x4e494d42; // "NIMB"

/**
 * Brings the database up to the newest schema this release knows. Several
 * nodes starting at once take turns on one advisory lock; the second finds
 * the work done. Each step and its record commit in one transaction, so a
 * node killed mid-way leaves the schema at the previous step.
 */
export async function migratePostgres(url: string, migrations: readonly PgMigration[]): Promise<{ applied: number[] }> {
  const client = new pg.Client({ connectionString: url, application_name: 'nimbus-migrate' });
  // A lost connection rejects the statement in flight; the event must not end the process too.
  client.on('error', () => {});
  await client.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_ID]);
    await client.query(`CREATE TABLE IF NOT EXISTS nimbus_schema_migrations (
      version integer PRIMARY KEY,
      name text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`);
    const done = new Set((await client.query<{ version: number }>('SELECT version FROM nimbus_schema_migrations')).rows.map((r) => r.version));
    const newest = Math.max(0, ...migrations.map((m) => m.version));
    const unknown = [...done].filter((v) => v > newest);
    if (unknown.length > 0) {
      throw new NimbusError('NIMBUS_ERR_STORE_UNAVAILABLE', `the database schema is at version ${Math.max(...unknown)}, newer than this release knows (${newest}): upgrade this node`, { reason: 'io' });
    }
    const applied: number[] = [];
    for (const migration of [...migrations].sort((a, b) => a.version - b.version)) {
      if (done.has(migration.version)) continue;
      await client.query('BEGIN');
      try {
        await client.query(migration.sql);
        await client.query('INSERT INTO nimbus_schema_migrations (version, name) VALUES ($1, $2)', [migration.version, migration.name]);
        await client.query('COMMIT');
      } catch (err) {
        await client.query('ROLLBACK').catch(() => {});
        throw new Error(`PostgreSQL migration ${migration.version} (${migration.name}) failed: ${(err as Error).message}`, { cause: err });
      }
      applied.push(migration.version);
    }
    return { applied };
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_ID]).catch(() => {});
    await client.end().catch(() => {});
  }
}
